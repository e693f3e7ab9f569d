//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// stream_reader and stream_writer without sockets: an in-memory transport written here,
// or feed_data. Every read kind, the limit, cancellation, flow control both ways, drain,
// writes after close or loss, when the connection closes.

#include <boost/tulip/streams.hpp>

#include <boost/tulip/debug.hpp>
#include <boost/tulip/task.hpp>
#include <boost/tulip/test.hpp>
#include <boost/tulip/timeout.hpp>

#include "helpers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include <array>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
using boost::system::error_code;
using namespace std::chrono_literals;
using tulip_test::settle;

namespace {

// A transport that keeps what is written and delivers what the test gives it.
class mem_transport : public tulip::transport
{
public:
    mem_transport(tulip::event_loop& loop, std::shared_ptr<tulip::base_protocol> p)
        : tulip::transport(loop, std::move(p))
    {}

    std::string sent;       // taken by the "kernel"
    std::size_t queued = 0; // in the write buffer
    std::size_t high = 64 * 1024;
    std::size_t low = 16 * 1024;
    bool writing_paused = false;
    bool reading = true;
    bool closed = false;
    bool aborted = false;
    bool eof_written = false;
    int pause_calls = 0;
    int resume_calls = 0;
    const char* last_buffer = nullptr;

    void make() { get_protocol()->connection_made(*this); }

    // The peer sends `data` (as the socket transport does: into the protocol's memory).
    void receive(std::string_view data)
    {
        auto* p = static_cast<tulip::buffered_protocol*>(get_protocol().get());
        while (!data.empty()) {
            asio::mutable_buffer b = p->get_buffer(data.size());
            last_buffer = static_cast<const char*>(b.data());
            std::size_t n = std::min(b.size(), data.size());
            std::memcpy(b.data(), data.data(), n);
            p->buffer_updated(n);
            data.remove_prefix(n);
        }
    }
    void receive_eof()
    {
        static_cast<tulip::buffered_protocol*>(get_protocol().get())->eof_received();
    }
    // The kernel takes `n` queued bytes.
    void flush(std::size_t n)
    {
        queued -= std::min(n, queued);
        if (writing_paused && queued <= low) {
            writing_paused = false;
            get_protocol()->resume_writing();
        }
    }
    void lose(std::exception_ptr e) { get_protocol()->connection_lost(std::move(e)); }

    void write_eof() override { eof_written = true; }
    bool can_write_eof() const noexcept override { return true; }
    void close() override
    {
        if (closed)
            return;
        closed = true;
        auto self = shared_from_this();
        tulip::call_soon([self] { self->get_protocol()->connection_lost(nullptr); });
    }
    void abort() override
    {
        aborted = true;
        close();
    }
    bool is_closing() const noexcept override { return closed; }
    void pause_reading() override
    {
        ++pause_calls;
        reading = false;
    }
    void resume_reading() override
    {
        ++resume_calls;
        reading = true;
    }
    bool is_reading() const noexcept override { return reading; }
    void set_write_buffer_limits(std::optional<std::size_t> h,
                                 std::optional<std::size_t> l) override
    {
        high = h.value_or(64 * 1024);
        low = l.value_or(high / 4);
    }
    std::size_t get_write_buffer_size() const noexcept override { return queued; }
    std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept override
    {
        return {low, high};
    }

protected:
    void write_buffers(const asio::const_buffer* bufs, std::size_t n) override
    {
        for (std::size_t i = 0; i < n; ++i) {
            sent.append(static_cast<const char*>(bufs[i].data()), bufs[i].size());
            queued += bufs[i].size();
        }
        if (!writing_paused && queued > high) {
            writing_paused = true;
            get_protocol()->pause_writing();
        }
    }
    std::any extra_info(std::string_view name) const override
    {
        if (name == "peername")
            return asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 8081);
        return {};
    }
};

struct conn
{
    std::shared_ptr<tulip::detail::stream_protocol> proto;
    std::shared_ptr<mem_transport> t;
    tulip::stream_reader reader;
    tulip::stream_writer writer;
};

conn connect(std::size_t limit = 64 * 1024)
{
    conn c;
    c.proto = tulip::detail::make_stream_protocol(tulip::get_running_loop(), limit);
    c.t = std::make_shared<mem_transport>(tulip::get_running_loop(), c.proto);
    c.t->make();
    c.reader = c.proto->reader();
    c.writer = c.proto->writer();
    return c;
}

tulip::stream_reader fed(std::string_view data, bool eof = false, std::size_t limit = 64 * 1024)
{
    tulip::stream_reader r(tulip::get_running_loop(), limit);
    r.feed_data(data);
    if (eof)
        r.feed_eof();
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(streams)

// ---- reads -----------------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(read_n_returns_what_is_buffered_up_to_n)
{
    auto r = fed("hello world");
    BOOST_TEST(co_await r.read(5) == "hello");
    BOOST_TEST(co_await r.read(100) == " world");
    r.feed_eof();
    BOOST_TEST(co_await r.read(10) == "");
    BOOST_TEST(r.at_eof());
}

BOOST_TULIP_TEST_CASE(read_n_waits_for_at_least_one_byte)
{
    tulip::stream_reader r(tulip::get_running_loop());
    tulip::call_later(1s, [r]() mutable { r.feed_data("ab"); });
    auto t0 = tulip_test::now();
    BOOST_TEST(co_await r.read(10) == "ab");
    BOOST_TEST((tulip_test::now() - t0 >= 1s));
}

BOOST_TULIP_TEST_CASE(read_zero_completes_at_once_with_nothing)
{
    tulip::stream_reader r(tulip::get_running_loop());
    BOOST_TEST(co_await r.read(0) == "");
    BOOST_TEST(co_await r.readexactly(0) == "");
}

BOOST_TULIP_TEST_CASE(read_all_reads_until_eof_beyond_the_limit)
{
    auto c = connect(16);
    std::string big(200, 'x');
    auto t = tulip::create_task(c.reader.read());
    co_await settle();
    c.t->receive(big.substr(0, 100)); // far beyond 2 x limit: reading must go on
    BOOST_TEST(c.t->reading);
    c.t->receive(big.substr(100));
    c.t->receive_eof();
    BOOST_TEST(co_await t.wait() == big);
}

BOOST_TULIP_TEST_CASE(readexactly_returns_n_bytes)
{
    auto r = fed("abcdef");
    BOOST_TEST(co_await r.readexactly(4) == "abcd");
    BOOST_TEST(r.buffered() == 2u);
}

BOOST_TULIP_TEST_CASE(readexactly_at_eof_throws_incomplete_read_with_the_partial_bytes)
{
    auto r = fed("abc", true);
    std::optional<tulip::incomplete_read_error> e;
    try {
        co_await r.readexactly(5);
    } catch (const tulip::incomplete_read_error& x) {
        e = x;
    }
    BOOST_REQUIRE(e);
    BOOST_TEST(e->partial() == "abc");
    BOOST_TEST(e->expected() == 5);
}

BOOST_TULIP_TEST_CASE(readexactly_with_another_token_gets_the_partial_bytes)
{
    auto r = fed("ab", true);
    auto [ec, bytes] = co_await r.readexactly(3, asio::as_tuple(asio::deferred));
    BOOST_TEST((ec == tulip::error::incomplete_read));
    BOOST_TEST(bytes == "ab");
}

BOOST_TULIP_TEST_CASE(readexactly_beyond_the_limit_completes_with_reading_resumed)
{
    auto c = connect(10);
    c.t->receive(std::string(25, 'a')); // over 2 x limit, no read waits: paused
    BOOST_TEST(!c.t->reading);
    auto t = tulip::create_task(c.reader.readexactly(40));
    co_await settle();
    BOOST_TEST(c.t->reading); // the waiting read resumed it
    c.t->receive(std::string(20, 'b'));
    std::string got = co_await t.wait();
    BOOST_TEST(got == std::string(25, 'a') + std::string(15, 'b'));
    BOOST_TEST(c.reader.buffered() == 5u);
}

BOOST_TULIP_TEST_CASE(readuntil_returns_through_the_separator)
{
    auto r = fed("GET / HTTP/1.1\r\n\r\nbody");
    BOOST_TEST(co_await r.readuntil("\r\n\r\n") == "GET / HTTP/1.1\r\n\r\n");
    BOOST_TEST(r.buffered() == 4u);
}

BOOST_TULIP_TEST_CASE(readuntil_finds_a_separator_split_across_receives)
{
    tulip::stream_reader r(tulip::get_running_loop());
    auto t = tulip::create_task(r.readuntil("--end--"));
    r.feed_data("abc--e");
    co_await settle();
    r.feed_data("nd-");
    co_await settle();
    BOOST_TEST(!t.done());
    r.feed_data("-tail");
    BOOST_TEST(co_await t.wait() == "abc--end--");
}

BOOST_TULIP_TEST_CASE(readuntil_with_several_separators_takes_the_match_that_ends_first)
{
    auto r = fed("key=value;next\n");
    std::array<std::string_view, 2> seps{"\n", ";"};
    BOOST_TEST(co_await r.readuntil(seps) == "key=value;");
    BOOST_TEST(co_await r.readuntil(seps) == "next\n");
    auto r2 = fed("abcd");
    std::array<std::string_view, 2> s2{"abcd", "b"};
    BOOST_TEST(co_await r2.readuntil(s2) == "ab");
}

BOOST_TULIP_TEST_CASE(readuntil_at_eof_throws_incomplete_read_with_expected_minus_one)
{
    auto r = fed("no newline", true);
    std::optional<tulip::incomplete_read_error> e;
    try {
        co_await r.readuntil("\n");
    } catch (const tulip::incomplete_read_error& x) {
        e = x;
    }
    BOOST_REQUIRE(e);
    BOOST_TEST(e->partial() == "no newline");
    BOOST_TEST(e->expected() == -1);
}

BOOST_TULIP_TEST_CASE(readuntil_over_the_limit_leaves_the_bytes_buffered)
{
    auto r = fed(std::string(20, 'x'), false, 10);
    std::optional<tulip::limit_overrun_error> e;
    try {
        co_await r.readuntil("\n");
    } catch (const tulip::limit_overrun_error& x) {
        e = x;
    }
    BOOST_REQUIRE(e);
    BOOST_TEST(e->consumed() == 20u);
    BOOST_TEST(r.buffered() == 20u);
    BOOST_TEST(co_await r.readexactly(e->consumed()) == std::string(20, 'x'));
}

BOOST_TULIP_TEST_CASE(readuntil_with_the_separator_beyond_the_limit_reports_where_it_starts)
{
    auto r = fed(std::string(12, 'x') + "\nrest", false, 10);
    auto [ec, bytes] = co_await r.readuntil("\n", asio::as_tuple(asio::deferred));
    BOOST_TEST((ec == tulip::error::limit_overrun));
    std::optional<tulip::limit_overrun_error> e;
    try {
        co_await r.readuntil("\n");
    } catch (const tulip::limit_overrun_error& x) {
        e = x;
    }
    BOOST_REQUIRE(e);
    BOOST_TEST(e->consumed() == 12u);
    BOOST_TEST(r.buffered() == 17u);
}

BOOST_TULIP_TEST_CASE(readline_over_the_limit_drops_the_line_through_its_separator)
{
    auto r = fed(std::string(12, 'x') + "\nnext\n", false, 10);
    bool threw = false;
    try {
        co_await r.readline();
    } catch (const tulip::limit_overrun_error&) {
        threw = true;
    }
    BOOST_TEST(threw);
    BOOST_TEST(co_await r.readline() == "next\n");
}

BOOST_TULIP_TEST_CASE(readline_over_the_limit_without_separator_clears_the_buffer)
{
    auto r = fed(std::string(30, 'x'), false, 10);
    bool threw = false;
    try {
        co_await r.readline();
    } catch (const tulip::limit_overrun_error&) {
        threw = true;
    }
    BOOST_TEST(threw);
    BOOST_TEST(r.buffered() == 0u);
}

BOOST_TULIP_TEST_CASE(readline_at_eof_returns_the_rest_then_empty)
{
    auto r = fed("one\ntwo", true);
    BOOST_TEST(co_await r.readline() == "one\n");
    BOOST_TEST(co_await r.readline() == "two");
    BOOST_TEST(co_await r.readline() == "");
    BOOST_TEST(r.at_eof());
}

BOOST_TULIP_TEST_CASE(lines_yields_each_line_with_its_newline)
{
    auto r = fed("a\nbb\nccc", true);
    std::vector<std::string> got;
    auto gen = r.lines();
    for (;;) {
        std::optional<std::string> line = co_await gen.next();
        if (!line)
            break;
        got.push_back(std::move(*line));
    }
    BOOST_TEST((got == std::vector<std::string>{"a\n", "bb\n", "ccc"}));
}

BOOST_TULIP_TEST_CASE(read_into_takes_buffered_bytes_first)
{
    auto r = fed("abcdef");
    char buf[4];
    std::size_t n = co_await r.read_into(asio::buffer(buf));
    BOOST_TEST(n == 4u);
    BOOST_TEST(std::string_view(buf, 4) == "abcd");
    r.feed_eof();
    BOOST_TEST(co_await r.read_into(asio::buffer(buf)) == 2u);
    BOOST_TEST(co_await r.read_into(asio::buffer(buf)) == 0u);
}

BOOST_TULIP_TEST_CASE(read_into_with_an_empty_buffer_receives_straight_into_the_callers_memory)
{
    auto c = connect();
    char buf[16];
    auto t = tulip::create_task(c.reader.read_into(asio::buffer(buf)));
    co_await settle();
    c.t->receive("zero-copy");
    BOOST_TEST(c.t->last_buffer == static_cast<const char*>(buf));
    BOOST_TEST(co_await t.wait() == 9u);
    BOOST_TEST(std::string_view(buf, 9) == "zero-copy");
    BOOST_TEST(c.reader.buffered() == 0u);
}

BOOST_TULIP_TEST_CASE(a_second_concurrent_read_fails_with_invalid_state)
{
    tulip::stream_reader r(tulip::get_running_loop());
    auto first = tulip::create_task(r.readline());
    co_await settle();
    bool threw = false;
    try {
        co_await r.read(1);
    } catch (const tulip::invalid_state_error&) {
        threw = true;
    }
    BOOST_TEST(threw);
    r.feed_data("x\n");
    BOOST_TEST(co_await first.wait() == "x\n");
}

BOOST_TULIP_TEST_CASE(set_exception_fails_the_waiting_read_with_that_exception)
{
    tulip::stream_reader r(tulip::get_running_loop());
    auto t = tulip::create_task(r.readline());
    co_await settle();
    r.set_exception(std::make_exception_ptr(std::logic_error("boom")));
    bool threw = false;
    try {
        co_await t.wait();
    } catch (const std::logic_error& e) {
        threw = std::string_view(e.what()) == "boom";
    }
    BOOST_TEST(threw);
    BOOST_TEST((r.exception() != nullptr));
}

// ---- cancellation leaves every byte ----------------------------------------------------

namespace {
enum class kind
{
    read_all,
    exactly,
    until,
    line,
    into
};

tulip::awaitable<void> start(tulip::stream_reader r, kind k)
{
    char buf[4];
    switch (k) {
    case kind::read_all:
        co_await r.read();
        break;
    case kind::exactly:
        co_await r.readexactly(100);
        break;
    case kind::until:
        co_await r.readuntil("END");
        break;
    case kind::line:
        co_await r.readline();
        break;
    case kind::into:
        co_await r.read_into(asio::buffer(buf, 0));
        break;
    }
}

tulip::awaitable<void> cancelled_read_leaves_bytes(kind k)
{
    auto c = connect();
    auto t = tulip::create_task(start(c.reader, k));
    co_await settle();
    c.t->receive("partial");
    co_await settle();
    t.cancel();
    co_await tulip_test::finish(t);
    BOOST_TEST(t.cancelled());
    BOOST_TEST(c.reader.buffered() == 7u);
    BOOST_TEST(co_await c.reader.readexactly(7) == "partial");
}
} // namespace

BOOST_TULIP_TEST_CASE(a_cancelled_read_leaves_every_received_byte_buffered)
{
    co_await cancelled_read_leaves_bytes(kind::read_all);
    co_await cancelled_read_leaves_bytes(kind::exactly);
    co_await cancelled_read_leaves_bytes(kind::until);
    co_await cancelled_read_leaves_bytes(kind::line);
}

BOOST_TULIP_TEST_CASE(a_read_cancelled_by_timeout_leaves_the_bytes_for_the_next_read)
{
    tulip::stream_reader r(tulip::get_running_loop());
    tulip::call_later(1s, [r]() mutable { r.feed_data("half a li"); });
    bool timed_out = false;
    try {
        co_await tulip::timeout(2s, r.readline());
    } catch (const tulip::timeout_error&) {
        timed_out = true;
    }
    BOOST_TEST(timed_out);
    r.feed_data("ne\n");
    BOOST_TEST(co_await r.readline() == "half a line\n");
}

BOOST_TULIP_TEST_CASE(a_cancelled_read_into_leaves_the_bytes)
{
    auto c = connect();
    char buf[16];
    auto t = tulip::create_task(c.reader.read_into(asio::buffer(buf)));
    co_await settle();
    t.cancel();
    co_await tulip_test::finish(t);
    c.t->receive("later");
    BOOST_TEST(c.reader.buffered() == 5u);
    BOOST_TEST(co_await c.reader.read(10) == "later");
}

// ---- flow control ----------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(reading_pauses_above_twice_the_limit_and_resumes_at_the_limit)
{
    auto c = connect(10);
    c.t->receive(std::string(20, 'a')); // exactly 2 x limit: still reading
    BOOST_TEST(c.t->reading);
    c.t->receive("b");
    BOOST_TEST(!c.t->reading);
    BOOST_TEST(c.t->pause_calls == 1);
    co_await c.reader.readexactly(10); // 11 left: still paused
    BOOST_TEST(!c.t->reading);
    co_await c.reader.readexactly(1); // 10 left: resumed
    BOOST_TEST(c.t->reading);
    BOOST_TEST(c.t->resume_calls == 1);
}

BOOST_TULIP_TEST_CASE(an_idle_reader_releases_a_large_buffer_once_read)
{
    auto c = connect();
    c.t->receive(std::string(100000, 'z'));
    BOOST_TEST(c.proto->buffer_capacity() >= 100000u);
    co_await c.reader.readexactly(100000);
    BOOST_TEST(c.proto->buffer_capacity() < 100000u);
}

// ---- the writer ------------------------------------------------------------------------

BOOST_TULIP_TEST_CASE(write_and_writelines_reach_the_transport_in_order)
{
    auto c = connect();
    c.writer.write("a");
    std::vector<std::string> lines{"b", "c"};
    c.writer.writelines(lines);
    std::byte raw[1]{std::byte{'d'}};
    c.writer.write(std::span<const std::byte>(raw));
    BOOST_TEST(c.t->sent == "abcd");
    co_await c.writer.drain(); // not paused: at once
}

BOOST_TULIP_TEST_CASE(drain_waits_above_the_high_water_mark_until_the_low_water_mark)
{
    auto c = connect();
    c.t->set_write_buffer_limits(100, 20);
    c.writer.write(std::string(150, 'x'));
    auto t = tulip::create_task(c.writer.drain());
    co_await settle();
    BOOST_TEST(!t.done());
    c.t->flush(100); // 50 left: above low
    co_await settle();
    BOOST_TEST(!t.done());
    c.t->flush(30);
    co_await t.wait();
}

BOOST_TULIP_TEST_CASE(drain_raises_the_connections_reset)
{
    auto c = connect();
    c.t->set_write_buffer_limits(10, 0);
    c.writer.write(std::string(50, 'x'));
    auto t = tulip::create_task(c.writer.drain());
    co_await settle();
    c.t->lose(std::make_exception_ptr(boost::system::system_error(asio::error::connection_reset)));
    bool reset = false;
    try {
        co_await t.wait();
    } catch (const boost::system::system_error& e) {
        reset = e.code() == asio::error::connection_reset;
    }
    BOOST_TEST(reset);
}

BOOST_TULIP_TEST_CASE(a_cancelled_drain_leaves_queued_data_queued)
{
    auto c = connect();
    c.t->set_write_buffer_limits(10, 0);
    c.writer.write(std::string(50, 'x'));
    auto t = tulip::create_task(c.writer.drain());
    co_await settle();
    t.cancel();
    co_await tulip_test::finish(t);
    BOOST_TEST(t.cancelled());
    BOOST_TEST(c.t->get_write_buffer_size() == 50u);
    BOOST_TEST(!c.t->closed);
}

BOOST_TULIP_TEST_CASE(write_after_close_or_write_eof_throws_invalid_state_at_once)
{
    auto c = connect();
    c.writer.write_eof();
    BOOST_TEST(c.t->eof_written);
    BOOST_CHECK_THROW(c.writer.write("x"), tulip::invalid_state_error);
    auto d = connect();
    d.writer.close();
    d.writer.close(); // idempotent
    BOOST_TEST(d.writer.is_closing());
    BOOST_CHECK_THROW(d.writer.write("x"), tulip::invalid_state_error);
    co_await d.writer.wait_closed();
    co_await d.writer.drain(); // after close: waits for the close, then returns
}

BOOST_TULIP_TEST_CASE(write_after_the_connection_was_lost_throws_its_error)
{
    auto c = connect();
    c.t->lose(std::make_exception_ptr(boost::system::system_error(asio::error::broken_pipe)));
    bool thrown = false;
    try {
        c.writer.write("x");
    } catch (const boost::system::system_error& e) {
        thrown = e.code() == asio::error::broken_pipe;
    }
    BOOST_TEST(thrown);
    auto [ec] = co_await c.writer.wait_closed(asio::as_tuple(asio::deferred));
    BOOST_TEST((ec == asio::error::broken_pipe));
}

BOOST_TULIP_TEST_CASE(the_connection_closes_when_the_last_writer_handle_is_gone)
{
    auto c = connect();
    {
        tulip::stream_writer copy = c.writer;
        c.writer = tulip::stream_writer();
        BOOST_TEST(!c.t->closed);
    }
    BOOST_TEST(c.t->closed); // the reader handle alone does not keep it open
    co_await settle();
    BOOST_TEST(c.reader.at_eof());
}

BOOST_TULIP_TEST_CASE(a_read_waiting_on_a_lost_connection_gets_its_error)
{
    auto c = connect();
    auto t = tulip::create_task(c.reader.readline());
    co_await settle();
    c.t->lose(std::make_exception_ptr(boost::system::system_error(asio::error::connection_reset)));
    bool reset = false;
    try {
        co_await t.wait();
    } catch (const boost::system::system_error& e) {
        reset = e.code() == asio::error::connection_reset;
    }
    BOOST_TEST(reset);
}

BOOST_TULIP_TEST_CASE(peer_eof_keeps_the_connection_open_for_writing)
{
    auto c = connect();
    c.t->receive("last\n");
    c.t->receive_eof();
    BOOST_TEST(co_await c.reader.readline() == "last\n");
    BOOST_TEST(co_await c.reader.readline() == "");
    c.writer.write("reply");
    BOOST_TEST(c.t->sent == "reply");
    BOOST_TEST(c.writer.get_extra_info<asio::ip::tcp::endpoint>("peername")->port() == 8081);
}

BOOST_TULIP_TEST_CASE(a_waiting_read_is_described_with_the_peer_in_the_task_tree)
{
    auto c = connect();
    auto t = tulip::create_task(c.reader.readline(), {.name = "conn"});
    co_await settle();
    std::string tree = tulip::format_task_tree();
    BOOST_TEST(tree.find("reading 127.0.0.1:8081") != std::string::npos, tree);
    c.t->receive("x\n");
    co_await t.wait();
}

BOOST_TULIP_TEST_CASE(a_reader_that_reads_again_inside_the_callback_gets_the_rest)
{
    auto c = connect();
    std::vector<std::string> got;
    auto t = tulip::create_task(
        [](tulip::stream_reader r, std::vector<std::string>& out) -> tulip::awaitable<void> {
            for (int i = 0; i < 3; ++i) {
                std::string line = co_await r.readline();
                out.push_back(std::move(line));
            }
        }(c.reader, got));
    co_await settle();
    c.t->receive("1\n2\n3\n");
    co_await t.wait();
    BOOST_TEST((got == std::vector<std::string>{"1\n", "2\n", "3\n"}));
}

BOOST_TULIP_TEST_CASE(a_reader_that_closes_inside_the_callback_still_reads_what_was_buffered)
{
    auto c = connect();
    std::vector<std::string> got;
    auto t = tulip::create_task([](tulip::stream_reader r, tulip::stream_writer w,
                                   std::vector<std::string>& out) -> tulip::awaitable<void> {
        std::string first = co_await r.readline();
        out.push_back(std::move(first));
        w.close(); // runs inside the transport's buffer_updated
        for (;;) {
            std::string line = co_await r.readline();
            if (line.empty())
                break;
            out.push_back(std::move(line));
        }
    }(c.reader, c.writer, got));
    c.writer = tulip::stream_writer();
    co_await settle();
    c.t->receive("a\nb\n");
    co_await t.wait();
    BOOST_TEST((got == std::vector<std::string>{"a\n", "b\n"}));
    BOOST_TEST(c.t->closed);
}

BOOST_TULIP_TEST_CASE(a_drain_started_before_the_connection_is_made_waits_for_it)
{
    auto proto = tulip::detail::make_stream_protocol(tulip::get_running_loop(), 1024);
    auto w = proto->writer();
    auto t = tulip::create_task(w.drain());
    co_await settle();
    BOOST_TEST(!t.done());
    auto tr = std::make_shared<mem_transport>(tulip::get_running_loop(), proto);
    tr->make();
    co_await t.wait();
    w.close();
    co_await w.wait_closed();
}

BOOST_AUTO_TEST_SUITE_END()
