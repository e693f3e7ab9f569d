//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Fuzz target of stream_reader: random bytes fed through feed_data in random chunks while
// a task reads them with random readline / readuntil / readexactly / read calls; every
// result is checked against a reference split of the same bytes. The reader's position is
// always (bytes fed) - buffered(), so a check never depends on how the chunks fell.
//
// libFuzzer (clang): cmake -DBOOST_TULIP_FUZZ=ON, then
//   out/<preset>/test/fuzz/fuzz_stream_reader -max_total_time=3600 corpus/
// The replay driver (replay.cpp) runs the same check on seeded inputs under ctest.

#include <boost/tulip/streams.hpp>

#include <boost/tulip/run.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/task.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace tulip = boost::tulip;

namespace {

[[noreturn]] void fail(const char* what, std::size_t at)
{
    std::fprintf(stderr, "stream_reader fuzz: %s (at byte %zu)\n", what, at);
    std::abort();
}

void check(bool ok, const char* what, std::size_t at)
{
    if (!ok)
        fail(what, at);
}

struct rng
{
    std::uint64_t s;
    std::uint32_t next()
    {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return static_cast<std::uint32_t>(s);
    }
};

struct state
{
    std::string payload;
    std::size_t limit = 16;
    std::uint64_t seed = 1;
    std::size_t fed = 0;
    bool feeding_done = false;
};

tulip::awaitable<void> feeder(tulip::stream_reader r, state& st)
{
    rng g{st.seed * 2 + 1};
    while (st.fed < st.payload.size()) {
        std::size_t n = 1 + g.next() % 40;
        n = std::min(n, st.payload.size() - st.fed);
        r.feed_data(std::string_view(st.payload).substr(st.fed, n));
        st.fed += n;
        if (g.next() % 2)
            co_await tulip::sleep(std::chrono::milliseconds(0));
    }
    r.feed_eof();
    st.feeding_done = true;
}

// The reader's position in the payload.
std::size_t position(const state& st, const tulip::stream_reader& r)
{
    return st.fed - r.buffered();
}

tulip::awaitable<void> reader_task(tulip::stream_reader r, state& st)
{
    rng g{st.seed * 7 + 3};
    const std::string_view all(st.payload);
    static constexpr std::array<std::string_view, 3> multi{"\n", "ab", "xyz"};
    for (int step = 0; step < 200; ++step) {
        std::size_t off = position(st, r);
        const int op = static_cast<int>(g.next() % 4);
        if (op == 0) { // readexactly(k)
            std::size_t k = g.next() % 50;
            std::string got;
            bool incomplete = false;
            try {
                got = co_await r.readexactly(k);
            } catch (const tulip::incomplete_read_error& e) {
                incomplete = true;
                got = e.partial();
                check(e.expected() == static_cast<std::ptrdiff_t>(k), "expected count", off);
            }
            if (incomplete) {
                check(off + k > all.size(), "incomplete read before the end", off);
                check(got == all.substr(off), "incomplete read's partial bytes", off);
                co_return;
            }
            check(got == all.substr(off, k), "readexactly bytes", off);
        } else if (op == 1 || op == 2) { // readuntil (one or several separators)
            std::string got;
            bool incomplete = false, overrun = false;
            std::size_t consumed = 0;
            std::size_t min_len = 1;
            try {
                if (op == 1) {
                    got = co_await r.readuntil("ab");
                    min_len = 2;
                } else {
                    got = co_await r.readuntil(std::span<const std::string_view>(multi));
                }
            } catch (const tulip::incomplete_read_error& e) {
                incomplete = true;
                got = e.partial();
            } catch (const tulip::limit_overrun_error& e) {
                overrun = true;
                consumed = e.consumed();
            }
            // The earliest end of a match at or after `off`.
            std::size_t best = std::string_view::npos;
            std::size_t best_start = 0;
            if (op == 1) {
                std::size_t p = all.find("ab", off);
                if (p != std::string_view::npos) {
                    best = p + 2;
                    best_start = p;
                }
            } else {
                for (std::string_view s : multi) {
                    std::size_t p = all.find(s, off);
                    if (p != std::string_view::npos && p + s.size() < best) {
                        best = p + s.size();
                        best_start = p;
                    }
                }
            }
            if (overrun) {
                check(position(st, r) == off, "an overrun leaves the bytes buffered", off);
                check(consumed > st.limit, "overrun count above the limit", off);
                check(best == std::string_view::npos || best_start - off >= consumed,
                      "no match before the overrun count", off);
                co_await r.readexactly(consumed);
                continue;
            }
            if (incomplete) {
                check(best == std::string_view::npos, "incomplete although a match exists", off);
                check(got == all.substr(off), "incomplete readuntil's bytes", off);
                co_return;
            }
            check(best != std::string_view::npos, "readuntil returned without a match", off);
            check(best_start - off <= st.limit, "match beyond the limit returned", off);
            check(got == all.substr(off, best - off), "readuntil bytes", off);
            (void)min_len;
        } else { // readline
            std::string got;
            bool overrun = false, found = false;
            std::size_t consumed = 0;
            try {
                got = co_await r.readline();
            } catch (const tulip::limit_overrun_error& e) {
                overrun = true;
                consumed = e.consumed();
                found = std::string_view(e.what()).find("is found") != std::string_view::npos;
            }
            std::size_t nl = all.find('\n', off);
            std::size_t now = position(st, r);
            if (overrun) {
                check(consumed > st.limit, "readline overrun within the limit", off);
                if (found) {
                    // The newline was buffered: the line goes through it.
                    check(nl == off + consumed, "readline overrun's newline", off);
                    check(now == nl + 1, "readline overrun dropped through its newline", off);
                } else {
                    // It was not: everything buffered (consumed() bytes) goes.
                    check(now == off + consumed, "readline overrun cleared the buffer", off);
                    check(nl == std::string_view::npos || nl >= now,
                          "readline overrun dropped a newline", off);
                }
                continue;
            }
            if (nl == std::string_view::npos) {
                check(got == all.substr(off), "readline's last line", off);
                if (got.empty())
                    co_return;
            } else {
                check(got == all.substr(off, nl + 1 - off), "readline bytes", off);
            }
        }
    }
}

tulip::awaitable<void> one_input(state& st)
{
    tulip::stream_reader r(tulip::get_running_loop(), st.limit);
    auto f = tulip::create_task(feeder(r, st));
    co_await reader_task(r, st);
    co_await f.wait();
}

} // namespace

// The check, for the libFuzzer entry point and the replay driver.
void tulip_fuzz_stream_reader(const std::uint8_t* data, std::size_t size)
{
    state st;
    if (size < 3)
        return;
    st.limit = 1 + data[0] % 48;
    st.seed = static_cast<std::uint64_t>(data[1]) << 8 | data[2];
    // A small alphabet, so that separators occur.
    static constexpr char alphabet[] = "abxyz\n.";
    st.payload.reserve(size - 3);
    for (std::size_t i = 3; i < size; ++i)
        st.payload.push_back(data[i] & 0x80 ? static_cast<char>(data[i])
                                            : alphabet[data[i] % (sizeof alphabet - 1)]);
    tulip::run(one_input(st));
}

#ifdef BOOST_TULIP_FUZZ_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    tulip_fuzz_stream_reader(data, size);
    return 0;
}
#endif
