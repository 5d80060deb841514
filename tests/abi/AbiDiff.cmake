# cmake -DABIDIFF=abidiff -DBASELINE=<file.abi> -DLIBRARY=<libsb_abi_surface.so>
#       -DALLOW_ADDITIONS=ON|OFF -P AbiDiff.cmake
#
# Compares the provider ABI as built now (the surface library of
# tests/abi/abi_surface.c) with a committed baseline (sdk/abi/):
#  - against the baseline of this very ABI version, nothing may differ: a
#    change to the header means a new minor and a new baseline
#    (scripts/abi-baseline.sh), made on purpose;
#  - against the 1.0 baseline, additions are allowed (what a minor may do)
#    and an incompatible change never is (sdk/docs/ABI_POLICY.md).
# abidiff's exit status is a bit set: 1 error, 2 usage, 4 ABI change,
# 8 incompatible ABI change. Types reached through pointers (all of ours)
# change with status 4 however they change, so for "additions only" the
# report itself is read: a struct may grow by members appended at its end
# and functions may be added; a member that moved, changed type, went away
# or was renamed, or a function removed, is incompatible. (Each kind was
# tried on a scratch copy of the header when this was written: a swap, a
# retype, a deletion and a rename fail both checks; an appended member
# passes "since 1.0" and fails "current".)
if(NOT EXISTS "${BASELINE}")
  message(FATAL_ERROR "no ABI baseline ${BASELINE}: the header's version has no baseline yet. "
                      "If you bumped SB_ABI_MINOR on purpose, write it with scripts/abi-baseline.sh")
endif()
# --harmless: a renamed member is binary compatible, so abidiff hides it by
# default; it still breaks every plugin's source, and the policy forbids it.
execute_process(COMMAND "${ABIDIFF}" --harmless --no-show-locs "${BASELINE}" "${LIBRARY}"
  RESULT_VARIABLE status OUTPUT_VARIABLE report ERROR_VARIABLE report)
message("${report}")
if(NOT status MATCHES "^[0-9]+$")
  message(FATAL_ERROR "abidiff did not run: ${status}")
endif()
math(EXPR failed "${status} & 3")
math(EXPR changed "${status} & 4")
if(report MATCHES "\\[[ACD]\\]")
  set(changed 1)
endif()
math(EXPR incompatible "${status} & 8")
set(breaking "")
foreach(pattern IN ITEMS "data member change" "data member deletion" "offset changed" "entity changed"
                        "[1-9][0-9]* Removed" "name of" "enumerator")
  if(report MATCHES "${pattern}")
    list(APPEND breaking "'${pattern}'")
  endif()
endforeach()
if(breaking)
  set(incompatible 1)
endif()
if(failed)
  message(FATAL_ERROR "abidiff failed (status ${status})")
elseif(incompatible)
  message(FATAL_ERROR "INCOMPATIBLE change to the provider ABI against ${BASELINE} (${breaking}): no minor "
                      "version may do this (sdk/docs/ABI_POLICY.md); a plugin built before it would break")
elseif(changed AND NOT ALLOW_ADDITIONS)
  message(FATAL_ERROR "the provider ABI differs from ${BASELINE}. A minor addition needs SB_ABI_MINOR bumped "
                      "and a new baseline (scripts/abi-baseline.sh); anything else must be undone")
endif()
message("provider ABI checked against ${BASELINE}: ${status}")
