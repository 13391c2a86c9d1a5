# Runs one libFuzzer target for a bounded time on a fresh copy of its seed corpus, so the
# fuzzer's new inputs never land in the source tree or in the seeds.
# cmake -DFUZZER=binary -DSEEDS=folder -DWORK=folder -DSECONDS=n [-DEXTRA_FLAGS="-flag=v ..."]
#       -P run_fuzzer.cmake
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corpus ${WORK}/artifacts)
file(GLOB seeds ${SEEDS}/*)
if(NOT seeds)
  message(FATAL_ERROR "no seeds in ${SEEDS}: build the fuzz_seeds target")
endif()
file(COPY ${seeds} DESTINATION ${WORK}/corpus)
separate_arguments(extra_flags UNIX_COMMAND "${EXTRA_FLAGS}")
execute_process(
  COMMAND ${FUZZER} ${WORK}/corpus -max_total_time=${SECONDS} -rss_limit_mb=2048 -timeout=25
          -artifact_prefix=${WORK}/artifacts/ -print_final_stats=1 ${extra_flags}
  WORKING_DIRECTORY ${WORK}
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${FUZZER} failed (exit ${result}); the input that broke it is in "
                      "${WORK}/artifacts")
endif()
