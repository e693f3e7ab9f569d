# Fails unless build/Jamfile names every compiled source under libs/*/src, so that a b2
# build (which lists its sources, as Boost's Jamfiles do) links what CMake's does.
# Usage: cmake -DROOT=<repository> -P jamfile_sync.cmake
file(READ "${ROOT}/build/Jamfile" jamfile)
file(GLOB sources RELATIVE "${ROOT}/libs" "${ROOT}/libs/*/src/*.cpp")
set(missing "")
foreach(src IN LISTS sources)
    string(FIND "${jamfile}" "${src}" at)
    if(at EQUAL -1)
        list(APPEND missing "${src}")
    endif()
endforeach()
if(missing)
    message(FATAL_ERROR "build/Jamfile does not build: ${missing}")
endif()
list(LENGTH sources n)
message(STATUS "build/Jamfile names all ${n} sources")
