# actbench_unity(TARGET UNITS): compile TARGET's sources as UNITS unity translation units (when
# ACTBENCH_UNITY is on). Every unit that includes LibTorch pays ~6 s to load the precompiled header
# and again generates the inline LibTorch, json and fmt code the files share, so on two cores a
# clean build is fastest with few, large units: enough for both cores to stay busy, no more
# (docs/performance.md, "Build and test time").
function(actbench_unity target units)
  if(NOT ACTBENCH_UNITY)
    return()
  endif()
  get_target_property(sources ${target} SOURCES)
  list(FILTER sources INCLUDE REGEX "\\.cpp$")
  list(LENGTH sources count)
  math(EXPR batch "(${count} + ${units} - 1) / ${units}")
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${batch})
endfunction()
