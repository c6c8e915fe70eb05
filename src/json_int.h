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

#endif							/* AZB_JSON_INT_H */
