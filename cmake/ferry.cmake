# Helpers shared by every module's CMakeLists.txt.

# ferry_library(NAME SRCS... [DEPS ...]): static library ferry_NAME with the
# repository root (and the generated-code root) on its include path.
function(ferry_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(ferry_${name} STATIC ${ARG_SRCS})
  target_include_directories(ferry_${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(ferry_${name} PUBLIC ${ARG_DEPS})
endfunction()

# ferry_test(NAME SRCS... DEPS ... [LABEL unit|integration|crash|fuzz-replay]):
# a gtest binary registered with ctest through gtest_discover_tests.
function(ferry_test name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SRCS;DEPS" ${ARGN})
  if(NOT ARG_LABEL)
    set(ARG_LABEL unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} ferry_testing GTest::gmock GTest::gtest GTest::gtest_main)
  include(GoogleTest)
  gtest_discover_tests(${name}
    PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT}
    DISCOVERY_TIMEOUT 60
    ENVIRONMENT "FERRY_SOURCE_DIR=${PROJECT_SOURCE_DIR};FERRY_BINARY_DIR=${PROJECT_BINARY_DIR}")
endfunction()
