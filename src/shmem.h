/*-------------------------------------------------------------------------
 *
 * shmem.h
 *	  The library's areas of shared memory (stats.c, token_cache.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef AZB_SHMEM_H
#define AZB_SHMEM_H

#include "postgres.h"

#include "storage/lwlock.h"

/*
 * Called at every attach of an area: mem is zeroed when first is true (the
 * first attach since the cluster started), lock is the area's own LWLock.
 */
typedef void (*AzbShmemAttach) (void *mem, LWLock *lock, bool first);

extern void azb_shmem_add(const char *name, Size size, AzbShmemAttach attach);

#endif							/* AZB_SHMEM_H */
