# Helpers shared by every module's CMakeLists.txt.

# Several engineers add modules in one tree at once; a CMakeLists.txt that
# names a source file not written yet would break configuring for everyone.
# Targets with missing sources are skipped with a warning instead, and
# recorded; the ctest `build_complete` fails while any target is skipped, so
# `make test` can never pass on an incomplete tree.
set_property(GLOBAL PROPERTY FERRY_SKIPPED_TARGETS "")

function(_ferry_sources_exist out name)
  set(missing "")
  foreach(src ${ARGN})
    if(IS_ABSOLUTE ${src})
      string(FIND "${src}" "${PROJECT_BINARY_DIR}" in_build)
      if(in_build EQUAL 0)
        continue()  # generated at build time
      endif()
      set(path ${src})
    else()
      set(path ${CMAKE_CURRENT_SOURCE_DIR}/${src})
    endif()
    if(NOT EXISTS ${path})
      list(APPEND missing ${src})
    endif()
  endforeach()
  if(missing)
    message(WARNING "ferry: skipping target ${name}: missing ${missing}")
    set_property(GLOBAL APPEND PROPERTY FERRY_SKIPPED_TARGETS "${name}")
    set(${out} FALSE PARENT_SCOPE)
  else()
    set(${out} TRUE PARENT_SCOPE)
  endif()
endfunction()

# ferry_library(NAME SRCS... [DEPS ...]): static library ferry_NAME with the
# repository root (and the generated-code root) on its include path.
function(ferry_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  _ferry_sources_exist(ok ferry_${name} ${ARG_SRCS})
  if(NOT ok)
    return()
  endif()
  add_library(ferry_${name} STATIC ${ARG_SRCS})
  target_include_directories(ferry_${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(ferry_${name} PUBLIC ${ARG_DEPS})
endfunction()

# ferry_test(NAME SRCS... DEPS ... [LABEL unit|integration|crash] [TIMEOUT s]):
# a gtest binary registered with ctest through gtest_discover_tests.
function(ferry_test name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SRCS;DEPS" ${ARGN})
  if(NOT ARG_LABEL)
    set(ARG_LABEL unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  _ferry_sources_exist(ok ${name} ${ARG_SRCS})
  if(NOT ok)
    return()
  endif()
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} ferry_testing GTest::gmock GTest::gtest GTest::gtest_main)
  include(GoogleTest)
  gtest_discover_tests(${name}
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "FERRY_SOURCE_DIR=${PROJECT_SOURCE_DIR}\\;FERRY_BINARY_DIR=${PROJECT_BINARY_DIR}")
endfunction()

# Called last by the top-level CMakeLists.txt.
function(ferry_finish)
  get_property(skipped GLOBAL PROPERTY FERRY_SKIPPED_TARGETS)
  if(FERRY_BUILD_TESTS)
    if(skipped)
      add_test(NAME build_complete COMMAND ${CMAKE_COMMAND} -E echo "skipped targets: ${skipped}")
      set_tests_properties(build_complete PROPERTIES WILL_FAIL TRUE LABELS unit)
      # WILL_FAIL inverts an echo that succeeds: the test fails, naming the targets.
    else()
      add_test(NAME build_complete COMMAND ${CMAKE_COMMAND} -E true)
      set_tests_properties(build_complete PROPERTIES LABELS unit)
    endif()
  endif()
endfunction()
