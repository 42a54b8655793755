# The side-by-side harness' tools (bench/compare/run drives them; issue 7):
# compare_target serves K loopback scrape targets and counts scrapes,
# compare_sink is a counting remote-write receiver that answers 204.
# Plain executables (not Google Benchmark binaries), built by the default build
# so `make build` provides them to `bench/compare/run` and its CI smoke test.
add_executable(compare_target ${CMAKE_CURRENT_SOURCE_DIR}/compare/compare_target.cc)
target_include_directories(compare_target PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(compare_target PRIVATE PkgConfig::HTTPLIB Threads::Threads)

add_executable(compare_sink ${CMAKE_CURRENT_SOURCE_DIR}/compare/compare_sink.cc)
target_include_directories(compare_sink PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
target_link_libraries(compare_sink PRIVATE ferry_remote PkgConfig::HTTPLIB Threads::Threads)

# receiver_cost measures a real receiver's CPU per sample by samples per
# series per request (docs/perf-notes/ship.md, "Catch-up packing").
add_executable(receiver_cost ${CMAKE_CURRENT_SOURCE_DIR}/compare/receiver_cost.cc)
target_include_directories(receiver_cost PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
target_link_libraries(receiver_cost PRIVATE ferry_remote CURL::libcurl Threads::Threads)
