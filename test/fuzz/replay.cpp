//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The replay driver of the stream_reader fuzz target, for ctest and any compiler: runs the
// check on the files given on the command line (a libFuzzer corpus or a crash), then on
// `--random N` inputs made from a fixed seed (default 3000), each a few hundred bytes.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

void tulip_fuzz_stream_reader(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv)
{
    long random = 3000;
    int files = 0;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--random") == 0 && i + 1 < argc) {
            random = std::atol(argv[++i]);
            continue;
        }
        ++files;
        std::ifstream f(argv[i], std::ios::binary);
        std::vector<char> bytes((std::istreambuf_iterator<char>(f)), {});
        tulip_fuzz_stream_reader(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    std::uint64_t s = 0x9e3779b97f4a7c15ull;
    std::vector<std::uint8_t> input;
    for (long n = 0; n < random; ++n) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        input.resize(3 + s % 600);
        for (auto& b : input) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            b = static_cast<std::uint8_t>(s);
        }
        tulip_fuzz_stream_reader(input.data(), input.size());
    }
    std::printf("stream_reader fuzz replay: %ld random inputs and %d files passed\n", random,
                files);
    return 0;
}
