/*-------------------------------------------------------------------------
 *
 * modify.h
 *	  INSERT, UPDATE and DELETE on the foreign tables: each row is one
 *	  operation of the catalogue, sent through operation.c.
 *
 * modify.c holds the executor callbacks and the transaction hazards
 * (warnings on abort, PREPARE refused); modify_body.c builds request bodies
 * and paths from rows.
 *
 *-------------------------------------------------------------------------
 */
#ifndef AZB_MODIFY_H
#define AZB_MODIFY_H

#include "azb.h"
#include "catalog_ops.h"
#include "nodes/execnodes.h"
#include "nodes/pathnodes.h"
#include "nodes/plannodes.h"

struct ExplainState;

/* What one column of the relation is to a request body or path */
typedef struct AzbModColumn
{
	char	   *name;
	Oid			typid;
	AzbColKind	kind;			/* AZB_COL_PROPERTY for unknown columns with a json_path */
	bool		known;			/* catalogue column, or one with a json_path */
	char	   *key;			/* dotted JSON path in the item, or NULL */
} AzbModColumn;

/* The relation's columns, for modify_body.c */
typedef struct AzbModRel
{
	Relation	rel;
	int			natts;
	AzbModColumn *cols;			/* by attnum - 1 */
	List	   *pins;			/* table-option scopes (AzbPin) */
} AzbModRel;

/* modify.c */
extern int	azb_modify_updatable(Relation rel);
extern void azb_modify_add_targets(PlannerInfo *root, Index rtindex,
								   RangeTblEntry *target_rte, Relation target_relation);
extern List *azb_modify_plan(PlannerInfo *root, ModifyTable *plan, Index resultRelation,
							 int subplan_index);
extern void azb_modify_begin(ModifyTableState *mtstate, ResultRelInfo *rinfo,
							 List *fdw_private, int subplan_index, int eflags);
extern TupleTableSlot *azb_modify_insert(EState *estate, ResultRelInfo *rinfo,
										 TupleTableSlot *slot, TupleTableSlot *planSlot);
extern TupleTableSlot *azb_modify_update(EState *estate, ResultRelInfo *rinfo,
										 TupleTableSlot *slot, TupleTableSlot *planSlot);
extern TupleTableSlot *azb_modify_delete(EState *estate, ResultRelInfo *rinfo,
										 TupleTableSlot *slot, TupleTableSlot *planSlot);
extern void azb_modify_end(EState *estate, ResultRelInfo *rinfo);
extern void azb_modify_explain(ModifyTableState *mtstate, ResultRelInfo *rinfo,
							   List *fdw_private, int subplan_index,
							   struct ExplainState *es);

/* modify_body.c */
extern bool azb_modify_op_is_insert(const AzbOperationDef *op);
extern bool azb_modify_op_is_update(const AzbOperationDef *op);
extern const AzbOperationDef *azb_modify_sibling(const AzbOperationDef *op, const char *method);
extern bool azb_modify_body_top_level(const AzbOperationDef *op);
extern const char *azb_modify_param_column(const AzbOperationDef *op, int i);
extern bool azb_modify_match_id(const AzbOperationDef *op, const char *id, char **values);
extern char *azb_modify_build_body(AzbModRel *mr, const AzbOperationDef *op,
								   Datum *values, bool *nulls, Bitmapset *assigned,
								   bool send_nulls, Datum *base_values, bool *base_nulls);
extern char *azb_modify_text(AzbModRel *mr, int attidx, Datum value);

#endif							/* AZB_MODIFY_H */
