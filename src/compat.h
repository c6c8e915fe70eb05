/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  The only place for PG_VERSION_NUM guards (libcurl's are in
 *	  compat_curl.h, which only http.c includes).
 *
 * Tested on PostgreSQL 15, 17 and 18 (test/pgversions/run); 16 is covered
 * by the same guards, by API, untested.  Included by azb.h after postgres.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef AZB_COMPAT_H
#define AZB_COMPAT_H

#if PG_VERSION_NUM < 150000
#error "azbilling_fdw needs PostgreSQL 15 or later (15, 17 and 18 are tested)"
#endif

/*
 * PG18 replaced the trailing pg_attribute_noreturn() by a leading
 * pg_noreturn (C11 _Noreturn); the trailing form is what the project's
 * headers use, so give it back where it is gone.
 */
#if PG_VERSION_NUM >= 180000 && !defined(pg_attribute_noreturn)
#if defined(__GNUC__) || defined(__clang__)
#define pg_attribute_noreturn() __attribute__((noreturn))
#else
#define pg_attribute_noreturn()
#endif
#endif

/*
 * PG18 split ExplainState (commands/explain_state.h) and the
 * ExplainProperty functions (commands/explain_format.h) out of
 * commands/explain.h, which fdwapi.h no longer pulls in.
 */
#if PG_VERSION_NUM >= 180000
#include "commands/explain_format.h"
#include "commands/explain_state.h"
#endif

/* PG19's funcapi.h no longer pulls in tuplestore.h (tuplestore_putvalues) */
#if PG_VERSION_NUM >= 190000
#include "utils/tuplestore.h"
#endif

/*
 * PG16 replaced the per-object-type ACL checks (pg_foreign_server_aclcheck
 * and friends) by object_aclcheck() on the object's catalog.
 */
#if PG_VERSION_NUM >= 160000
#include "catalog/pg_foreign_server.h"
#define azb_compat_server_aclcheck(serverid, roleid, mode) \
	object_aclcheck(ForeignServerRelationId, (serverid), (roleid), (mode))
#else
#define azb_compat_server_aclcheck(serverid, roleid, mode) \
	pg_foreign_server_aclcheck((serverid), (roleid), (mode))
#endif

/*
 * The role a foreign scan checks as (the view owner's, for a scan through a
 * view), or the current user.  PG16 moved checkAsUser from the range table
 * entry (now RTEPermissionInfo) to the ForeignScan plan node.
 */
#if PG_VERSION_NUM >= 160000
#define azb_compat_scan_user(fsplan, estate) \
	(OidIsValid((fsplan)->checkAsUser) ? (fsplan)->checkAsUser : GetUserId())
#else
#define azb_compat_scan_user(fsplan, estate) \
	(OidIsValid(exec_rt_fetch((fsplan)->scan.scanrelid, (estate))->checkAsUser) ? \
	 exec_rt_fetch((fsplan)->scan.scanrelid, (estate))->checkAsUser : GetUserId())
#endif

/*
 * The role a foreign table modification checks as.  PG16 moved checkAsUser
 * from the range table entry to RTEPermissionInfo, read through
 * ExecGetResultRelCheckAsUser.
 */
#if PG_VERSION_NUM >= 160000
#define azb_compat_modify_user(rinfo, estate) \
	ExecGetResultRelCheckAsUser((rinfo), (estate))
#else
#define azb_compat_modify_user(rinfo, estate) \
	(OidIsValid(exec_rt_fetch((rinfo)->ri_RangeTableIndex, (estate))->checkAsUser) ? \
	 exec_rt_fetch((rinfo)->ri_RangeTableIndex, (estate))->checkAsUser : GetUserId())
#endif

/*
 * create_foreignscan_path: PG17 added fdw_restrictinfo (the quals a path
 * enforces, for join pushdown; none here), PG18 disabled_nodes (before the
 * costs).
 */
#if PG_VERSION_NUM >= 180000
#define azb_compat_foreignscan_path(root, rel, target, rows, startup, total, \
									pathkeys, outer, outerpath, priv) \
	create_foreignscan_path((root), (rel), (target), (rows), 0, (startup), (total), \
							(pathkeys), (outer), (outerpath), NIL, (priv))
#elif PG_VERSION_NUM >= 170000
#define azb_compat_foreignscan_path(root, rel, target, rows, startup, total, \
									pathkeys, outer, outerpath, priv) \
	create_foreignscan_path((root), (rel), (target), (rows), (startup), (total), \
							(pathkeys), (outer), (outerpath), NIL, (priv))
#else
#define azb_compat_foreignscan_path(root, rel, target, rows, startup, total, \
									pathkeys, outer, outerpath, priv) \
	create_foreignscan_path((root), (rel), (target), (rows), (startup), (total), \
							(pathkeys), (outer), (outerpath), (priv))
#endif

#endif							/* AZB_COMPAT_H */
