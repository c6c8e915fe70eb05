"""Counted checks, shared by the emulator's self-test (test/emulator) and the
scripted checks (test/scripts): check() counts a check and prints a FAIL
line for one that failed (and an ok line for one that passed, unless
verbose is off); summary() prints the last line, "N passed, N failed".
"""
import sys

passed = 0
failed = 0
verbose = True


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        if verbose:
            print("ok   %s" % name)
    else:
        failed += 1
        print("FAIL %s %s" % (name, detail))


def summary():
    """Print "N passed, N failed"; the exit status: 1 when a check failed."""
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def finish():
    sys.exit(summary())
