# azbilling_fdw: PGXS build
MODULE_big = azbilling_fdw
OBJS = \
	azbilling_fdw.o \
	src/actions.o \
	src/auth.o \
	src/token_cache.o \
	src/cache.o \
	src/catalog.o \
	src/catalog_sql.o \
	src/catalog_data.o \
	src/catalog_ops.o \
	src/catalog_ops_find.o \
	src/decode.o \
	src/errors.o \
	src/explain.o \
	src/http.o \
	src/http_retry.o \
	src/import.o \
	src/json.o \
	src/jwt.o \
	src/lro.o \
	src/modify.o \
	src/modify_body.o \
	src/operation.o \
	src/options.o \
	src/pace.o \
	src/plan.o \
	src/request.o \
	src/scan.o \
	src/scan_agreement.o \
	src/scan_quals.o \
	src/scan_tasks.o \
	src/shmem.o \
	src/stats.o \
	src/timeparse.o \
	src/waiter.o

EXTENSION = azbilling_fdw
DATA = azbilling_fdw--1.0.sql
PGFILEDESC = "azbilling_fdw - foreign data wrapper for the Azure Billing REST API"

PG_CPPFLAGS = -I$(srcdir)/src
SHLIB_LINK = -lcurl -lcjson -lcrypto

REGRESS = setup options import scan pushdown paging errors security tables tables_mca tables_ea tables_mpa tables_roles actions async credentials operations writes sync stats cache partial
REGRESS_OPTS = --dlpath=. --inputdir=$(srcdir)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# every object depends on the project's headers (PGXS tracks no header dependencies)
$(OBJS): $(wildcard $(srcdir)/src/*.h)

# Out-of-tree builds (pg_buildext builds in build-NN/ with VPATH=..): the
# objects' directory must exist there.  An absolute path, so that VPATH does
# not find the source tree's src/ instead.
$(filter src/%,$(OBJS)): | $(CURDIR)/src
$(CURDIR)/src:
	$(MKDIR_P) $@

# The backend-free C unit tests (test/unit), without PostgreSQL or the
# emulator: the first step of the fast loop (README "Development").
unitcheck:
	$(MAKE) -C $(srcdir)/test/unit clean check
.PHONY: unitcheck
