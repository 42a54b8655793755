ferry_bench(relabel DEPS ferry_relabel)
target_compile_options(relabel_bench PRIVATE -Wno-missing-field-initializers)
