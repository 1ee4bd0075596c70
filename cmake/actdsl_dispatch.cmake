# actdsl_add_dispatch(<target> <source>...)
#
# Compiles each source once per instruction set actdsl dispatches over (AVX-512,
# AVX2+FMA, SSE4.2) and links the objects into <target>. The sources record
# kernels with actdsl::dispatch::record<T...>(f); the same calls anywhere in the
# program then run the best recorded kernel the CPU supports. <target> itself
# may stay baseline x86-64: one binary for every x86-64 machine.
# Sets <target>_ACTDSL_DISPATCH_OBJECTS (the object libraries) in the caller's scope.
function(actdsl_add_dispatch target)
    set(isas avx512 avx2 sse4_2)
    set(flags_avx512 -mavx512f -mavx512cd -mavx512dq -mavx512bw -mavx512vl -mfma)
    set(flags_avx2 -mavx2 -mfma)
    set(flags_sse4_2 -msse4.2)
    set(objects)
    foreach(isa IN LISTS isas)
        set(lib ${target}_actdsl_${isa})
        add_library(${lib} OBJECT ${ARGN})
        target_link_libraries(${lib} PRIVATE actdsl::actdsl)
        target_compile_options(${lib} PRIVATE ${flags_${isa}})
        target_sources(${target} PRIVATE $<TARGET_OBJECTS:${lib}>)
        list(APPEND objects ${lib})
    endforeach()
    set(${target}_ACTDSL_DISPATCH_OBJECTS ${objects} PARENT_SCOPE)
endfunction()
