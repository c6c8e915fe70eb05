/*-------------------------------------------------------------------------
 *
 * shmem.c
 *	  One shmem_request_hook and one shmem_startup_hook for every area of
 *	  shared memory the library keeps.
 *
 * A module names its area, gives its size and a callback that takes the
 * attached memory and the area's LWLock (a named tranche of the same name).
 * Areas exist only when the library is in shared_preload_libraries; outside
 * the postmaster's preload azb_shmem_add does nothing, the callback is never
 * called, and each module works with backend-local memory instead.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/shmem.h"

#include "shmem.h"

#define AZB_SHMEM_AREAS 4

typedef struct AzbShmemArea
{
	const char *name;			/* of the struct and of its LWLock tranche */
	Size		size;
	AzbShmemAttach attach;
} AzbShmemArea;

static AzbShmemArea areas[AZB_SHMEM_AREAS];
static int	nareas = 0;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void
shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	for (int i = 0; i < nareas; i++)
	{
		RequestAddinShmemSpace(MAXALIGN(areas[i].size));
		RequestNamedLWLockTranche(areas[i].name, 1);
	}
}

static void
shmem_startup(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	for (int i = 0; i < nareas; i++)
	{
		bool		found;
		void	   *mem = ShmemInitStruct(areas[i].name, areas[i].size, &found);

		if (!found)
			memset(mem, 0, areas[i].size);
		areas[i].attach(mem, &(GetNamedLWLockTranche(areas[i].name))->lock, !found);
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * Ask for an area; from _PG_init.  Only while shared_preload_libraries
 * load, and once per name.  The hooks are installed with the first area.
 */
void
azb_shmem_add(const char *name, Size size, AzbShmemAttach attach)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	for (int i = 0; i < nareas; i++)
		if (strcmp(areas[i].name, name) == 0)
			return;
	if (nareas == AZB_SHMEM_AREAS)
		elog(ERROR, "azbilling_fdw: too many shared memory areas");
	if (nareas == 0)
	{
		prev_shmem_request_hook = shmem_request_hook;
		shmem_request_hook = shmem_request;
		prev_shmem_startup_hook = shmem_startup_hook;
		shmem_startup_hook = shmem_startup;
	}
	areas[nareas].name = name;
	areas[nareas].size = size;
	areas[nareas].attach = attach;
	nareas++;
}
