/*-------------------------------------------------------------------------
 *
 * explain.c
 *	  EXPLAIN output: the resource, api-version and operation ids always;
 *	  the planned requests under VERBOSE; requests, pages, rows, bytes,
 *	  retries and throttle waits under ANALYZE.
 *
 * The scan owns its state; this file only decides what EXPLAIN shows and
 * in which format.  No secret is ever part of a request line: tokens travel
 * in headers, which are not shown.
 *
 *-------------------------------------------------------------------------
 */
#include "azb.h"

#include "commands/explain.h"

void
azb_explain_scan(ForeignScanState *node, ExplainState *es)
{
	azb_scan_describe(node, es);
}
