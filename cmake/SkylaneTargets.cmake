# Helpers shared by every skylane target: warnings per target, never global flags.

function(skylane_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
  if(SKYLANE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# skylane_library(NAME folder SOURCES ... DEPS ...): one library per module, headers in
# <folder>/include, sources in <folder>/src.
function(skylane_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  skylane_warnings(${name})
endfunction()
