/*-------------------------------------------------------------------------
 *
 * json_int.h
 *	  What json.c shares with decode.c, the only other file that sees cJSON
 *	  types: item access by key and path, and scope values from ARM ids.
 *
 *-------------------------------------------------------------------------
 */
#ifndef AZB_JSON_INT_H
#define AZB_JSON_INT_H

#include "azb.h"

#include <cjson/cJSON.h>

extern cJSON *azb_json_get(cJSON *obj, const char *key);
extern cJSON *azb_json_walk(cJSON *item, char **path, int npath);
extern char **azb_json_split_path(const char *path, int *n);
extern char *azb_json_scope_from_id(cJSON *item, const char *column);
extern char *azb_json_scope_id_property(const char *column);
extern char *azb_json_scope_from_id_property(cJSON *item, const char *id_property,
											 const char *column);
extern char *azb_json_scope_from_node(cJSON *node, const char *column);

/* An item's id split into its pairs once, for every scope column read from it. */
typedef struct AzbItemId
{
	cJSON	   *item;
	int			npairs;			/* -1 until split; > lengthof(pairs): too many */
	AzbIdPair	pairs[16];
} AzbItemId;

/* One scope column's reader of ids: the collections carrying it, and a memo. */
typedef struct AzbScopeReader
{
	const char *column;
	MemoryContext cxt;			/* where the memo lives */
	const char **segments;		/* the id collections that carry the column */
	size_t	   *seglens;
	int			nsegments;
	bool		memo_valid;		/* the last "<scope>Id" property read ... */
	char	   *memo_id;
	char	   *memo_value;		/* ... and the value in it (NULL: none) */
} AzbScopeReader;

extern void azb_item_id_reset(AzbItemId *id, cJSON *item);
extern void azb_scope_reader_init(AzbScopeReader *r, const char *column);
extern char *azb_scope_reader_from_id(AzbScopeReader *r, AzbItemId *id);
extern const char *azb_scope_reader_from_property(AzbScopeReader *r, cJSON *node);

#endif							/* AZB_JSON_INT_H */
