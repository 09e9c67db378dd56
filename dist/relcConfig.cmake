# relcConfig.cmake: find_package(relc) gives
#
#   relc::relc      the relc compiler (an imported executable)
#   relc::runtime   the runtime library and its header directory
#   relc_generate(TARGET SCHEMAS a.rel [b.rel ...] [PREFIX p] [OUT_DIR dir])
#                   runs relc on each schema at build time, adds NAME.c to
#                   TARGET's sources, the output directory to its include
#                   path and relc::runtime to its libraries; relc's
#                   dependency file goes to CMake (DEPFILE), so a changed
#                   schema regenerates and nothing else does.
#
# The custom command's OUTPUT is a stamp file (NAME.stamp beside the
# outputs), which relc writes on every successful run; NAME.h and NAME.c
# are its BYPRODUCTS.  relc leaves an output whose content did not change
# as it was (so a touched schema recompiles nothing), and an OUTPUT older
# than the schema would make the Makefiles generators run relc again on
# every build; Ninja checks the byproducts again after the run (restat).
#
# The installed tree is relocatable: paths are found from this file's place.
cmake_minimum_required(VERSION 3.20)
get_filename_component(_relc_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

if(NOT TARGET relc::relc)
    add_executable(relc::relc IMPORTED)
    set_target_properties(relc::relc PROPERTIES IMPORTED_LOCATION "${_relc_prefix}/bin/relc")
endif()
if(NOT TARGET relc::runtime)
    add_library(relc::runtime STATIC IMPORTED)
    set_target_properties(relc::runtime PROPERTIES
        IMPORTED_LOCATION "${_relc_prefix}/lib/librelc-runtime.a"
        INTERFACE_INCLUDE_DIRECTORIES "${_relc_prefix}/include/relc")
endif()

function(relc_generate target)
    cmake_parse_arguments(RG "" "PREFIX;OUT_DIR" "SCHEMAS" ${ARGN})
    if(NOT RG_SCHEMAS)
        message(FATAL_ERROR "relc_generate(${target}): no SCHEMAS given")
    endif()
    if(RG_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "relc_generate(${target}): unknown arguments ${RG_UNPARSED_ARGUMENTS}")
    endif()
    if(NOT RG_OUT_DIR)
        set(RG_OUT_DIR "${CMAKE_CURRENT_BINARY_DIR}/relc")
    endif()
    get_filename_component(out_dir "${RG_OUT_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
    set(prefix_args)
    if(RG_PREFIX)
        set(prefix_args --prefix "${RG_PREFIX}")
    endif()
    foreach(schema IN LISTS RG_SCHEMAS)
        get_filename_component(abs "${schema}" ABSOLUTE)
        # The outputs are named after the schema's `schema NAME;` line, or
        # the file's base name when it has none (as relc names them).
        get_filename_component(name "${abs}" NAME_WE)
        file(STRINGS "${abs}" schema_line REGEX "^[ \t]*schema[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*;")
        if(schema_line)
            list(GET schema_line 0 schema_line)
            string(REGEX REPLACE "^[ \t]*schema[ \t]+([A-Za-z_][A-Za-z0-9_]*).*" "\\1" name "${schema_line}")
        endif()
        set(stem "${RG_PREFIX}${name}")
        set(depfile "${out_dir}/${stem}.d")
        set(stamp "${out_dir}/${stem}.stamp")
        add_custom_command(
            OUTPUT "${stamp}"
            BYPRODUCTS "${out_dir}/${stem}.h" "${out_dir}/${stem}.c"
            COMMAND relc::relc ${prefix_args} -o "${out_dir}" -M "${depfile}" --stamp "${stamp}" "${abs}"
            DEPENDS "${abs}" relc::relc
            DEPFILE "${depfile}"
            COMMENT "relc ${schema}"
            VERBATIM)
        # The stamp among the sources attaches the command to the target.
        target_sources(${target} PRIVATE "${out_dir}/${stem}.c" "${out_dir}/${stem}.h" "${stamp}")
    endforeach()
    target_include_directories(${target} PRIVATE "${out_dir}")
    target_link_libraries(${target} PRIVATE relc::runtime)
endfunction()
