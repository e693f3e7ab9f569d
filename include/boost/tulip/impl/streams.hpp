//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_STREAMS_HPP
#define BOOST_TULIP_IMPL_STREAMS_HPP

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

namespace boost::tulip {
namespace detail {

// Rethrows the exception the stream's state holds for `ec`, if it is that one (a
// set_exception or the connection's error keeps its own type).
inline void rethrow_stream_exception(const stream_protocol& p, const boost::system::error_code& ec)
{
    if (std::exception_ptr e = p.exception(); e && ec == p.exception_code())
        std::rethrow_exception(e);
}

// awaitable_token's mapping of a read: the overrun's count, the expected count of
// readexactly, the stream's own exception.
struct stream_read_mapper
{
    std::shared_ptr<stream_protocol> p;
    std::ptrdiff_t expected;

    [[noreturn]] void operator()(const boost::system::error_code& ec, std::string& bytes) const
    {
        rethrow_stream_exception(*p, ec);
        if (ec == error::limit_overrun)
            throw limit_overrun_error(p->overrun_message(), p->last_overrun_consumed());
        if (ec == error::invalid_state)
            throw invalid_state_error("a read was started while another task is already "
                                      "waiting for incoming data on this stream");
        throw_tulip_error(ec, bytes, expected);
    }
    template <class... Ts>
    [[noreturn]] void operator()(const boost::system::error_code& ec, Ts&...) const
    {
        std::string none;
        (*this)(ec, none);
    }
};

} // namespace detail

struct stream_reader::initiate_read
{
    detail::stream_protocol* p;
    detail::read_kind kind;
    std::size_t n = 0;
    std::string_view one;                     // a single separator (readuntil(sep))
    std::span<const std::string_view> seps{}; // several, else `one`

    template <class Handler>
    void operator()(Handler&& h) const
    {
        detail::read_outcome out;
        bool done;
        if (kind == detail::read_kind::until || kind == detail::read_kind::line) {
            std::span<const std::string_view> s = seps.empty() ? std::span(&one, 1) : seps;
            done = p->start_read_until(s, kind == detail::read_kind::line, out);
        } else {
            done = p->start_read(kind, n, out);
        }
        if (done)
            detail::deliver(p->loop(), static_cast<Handler&&>(h),
                            detail::read_completion{out.ec, std::move(out.bytes)},
                            detail::delivery::immediate);
        else
            p->suspend_read<detail::read_completion>(static_cast<Handler&&>(h));
    }

    detail::stream_read_mapper error_mapper() const
    {
        return {p->shared_from_this(),
                kind == detail::read_kind::exactly ? static_cast<std::ptrdiff_t>(n) : -1};
    }
};

struct stream_reader::initiate_read_into
{
    detail::stream_protocol* p;

    template <class Handler>
    void operator()(Handler&& h, boost::asio::mutable_buffer b) const
    {
        detail::read_outcome out;
        if (p->start_read_into(b, out))
            detail::deliver(p->loop(), static_cast<Handler&&>(h),
                            detail::count_completion{out.ec, out.count},
                            detail::delivery::immediate);
        else
            p->suspend_read<detail::count_completion>(static_cast<Handler&&>(h));
    }

    detail::stream_read_mapper error_mapper() const { return {p->shared_from_this(), -1}; }
};

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::string))
              CompletionToken>
auto stream_reader::read(std::ptrdiff_t n, CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken,
                                       void(boost::system::error_code, std::string)>(
        initiate_read{p_.get(),
                      n < 0 ? detail::read_kind::all : detail::read_kind::some,
                      n < 0 ? 0 : static_cast<std::size_t>(n),
                      {}},
        token);
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::string))
              CompletionToken>
auto stream_reader::readexactly(std::size_t n, CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken,
                                       void(boost::system::error_code, std::string)>(
        initiate_read{p_.get(), detail::read_kind::exactly, n, {}}, token);
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::string))
              CompletionToken>
auto stream_reader::readuntil(std::string_view sep, CompletionToken&& token)
{
    if (sep.empty())
        throw std::invalid_argument("readuntil: the separator is empty");
    return boost::asio::async_initiate<CompletionToken,
                                       void(boost::system::error_code, std::string)>(
        initiate_read{p_.get(), detail::read_kind::until, 0, sep}, token);
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::string))
              CompletionToken>
auto stream_reader::readuntil(std::span<const std::string_view> seps, CompletionToken&& token)
{
    if (seps.empty())
        throw std::invalid_argument("readuntil: no separator");
    for (std::string_view s : seps)
        if (s.empty())
            throw std::invalid_argument("readuntil: a separator is empty");
    return boost::asio::async_initiate<CompletionToken,
                                       void(boost::system::error_code, std::string)>(
        initiate_read{p_.get(), detail::read_kind::until, 0, {}, seps}, token);
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::string))
              CompletionToken>
auto stream_reader::readline(CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken,
                                       void(boost::system::error_code, std::string)>(
        initiate_read{p_.get(), detail::read_kind::line, 0, "\n"}, token);
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::size_t))
              CompletionToken>
auto stream_reader::read_into(boost::asio::mutable_buffer b, CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken,
                                       void(boost::system::error_code, std::size_t)>(
        initiate_read_into{p_.get()}, token, b);
}

namespace detail {
inline async_generator<std::string> reader_lines(stream_reader r)
{
    for (;;) {
        std::string line = co_await r.readline();
        if (line.empty())
            co_return;
        co_yield std::move(line);
    }
}

} // namespace detail

inline async_generator<std::string> stream_reader::lines()
{
    return detail::reader_lines(*this);
}

// ---- stream_writer ----------------------------------------------------------------------

namespace detail {
struct stream_code_mapper
{
    std::shared_ptr<stream_protocol> p;

    [[noreturn]] void operator()(const boost::system::error_code& ec) const
    {
        rethrow_stream_exception(*p, ec);
        throw_tulip_error(ec);
    }
};
} // namespace detail

inline stream_writer::stream_writer(std::shared_ptr<detail::stream_protocol> p) noexcept
    : p_(std::move(p))
{
    if (p_)
        p_->add_writer();
}

inline stream_writer::stream_writer(const stream_writer& o) noexcept
    : p_(o.p_)
{
    if (p_)
        p_->add_writer();
}

inline stream_writer::~stream_writer()
{
    if (p_)
        p_->drop_writer();
}

template <class Range>
void stream_writer::writelines(const Range& lines)
{
    boost::asio::const_buffer bufs[16];
    std::size_t n = 0;
    for (const auto& line : lines) {
        std::string_view s(line);
        bufs[n++] = boost::asio::const_buffer(s.data(), s.size());
        if (n == std::size(bufs)) {
            p_->write(bufs, n);
            n = 0;
        }
    }
    if (n)
        p_->write(bufs, n);
}

struct stream_writer::initiate_drain
{
    detail::stream_protocol* p;

    template <class Handler>
    void operator()(Handler&& h) const
    {
        boost::system::error_code ec;
        if (p->drain_ready(ec))
            detail::deliver(p->loop(), static_cast<Handler&&>(h), detail::code_completion{ec},
                            detail::delivery::immediate);
        else
            p->suspend_drain(static_cast<Handler&&>(h));
    }

    detail::stream_code_mapper error_mapper() const { return {p->shared_from_this()}; }
};

struct stream_writer::initiate_wait_closed
{
    detail::stream_protocol* p;

    template <class Handler>
    void operator()(Handler&& h) const
    {
        boost::system::error_code ec;
        if (p->closed_ready(ec))
            detail::deliver(p->loop(), static_cast<Handler&&>(h), detail::code_completion{ec},
                            detail::delivery::immediate);
        else
            p->suspend_closed(static_cast<Handler&&>(h));
    }

    detail::stream_code_mapper error_mapper() const { return {p->shared_from_this()}; }
};

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code)) CompletionToken>
auto stream_writer::drain(CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
        initiate_drain{p_.get()}, token);
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code)) CompletionToken>
auto stream_writer::wait_closed(CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
        initiate_wait_closed{p_.get()}, token);
}

// ---- start_tls --------------------------------------------------------------------------

namespace detail {

// Defined in Boost::tulip_ssl: `done` runs once, from the loop.
void start_tls_in_place(std::shared_ptr<stream_protocol> p, boost::asio::ssl::context& ctx,
                        const tls_options& opts,
                        std::function<void(boost::system::error_code)> done);

// awaitable_token's mapper of start_tls: what an invalid_state means here.
struct start_tls_mapper
{
    [[noreturn]] void operator()(const boost::system::error_code& ec) const
    {
        if (ec == error::invalid_state)
            throw invalid_state_error(
                "start_tls: a read is waiting in another task (it would see the plaintext), "
                "or the connection is closing or lost, or is not a TCP or Unix socket");
        throw boost::system::system_error(ec, "start_tls");
    }
};

struct initiate_start_tls
{
    start_tls_mapper error_mapper() const { return {}; }

    template <class Handler, class Options>
    void operator()(Handler&& h, std::shared_ptr<stream_protocol> p, boost::asio::ssl::context* ctx,
                    const Options& opts) const
    {
        using handler_type = std::decay_t<Handler>;
        auto hp = std::make_shared<handler_type>(static_cast<Handler&&>(h));
        auto ex = boost::asio::get_associated_executor(*hp, p->loop().get_executor());
        auto work = boost::asio::prefer(ex, boost::asio::execution::outstanding_work.tracked);
        start_tls_in_place(std::move(p), *ctx, opts, [hp, work](boost::system::error_code ec) {
            boost::asio::post(work, [hp, ec] { std::move (*hp)(ec); });
        });
    }
};

} // namespace detail

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code)) CompletionToken>
auto stream_writer::start_tls(boost::asio::ssl::context& ctx, const tls_options& opts,
                              CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
        detail::initiate_start_tls{}, token, p_, &ctx, opts);
}

// ---- open_connection --------------------------------------------------------------------

namespace detail {

// create_connection's completion handler turned into open_connection's: the reader and
// the writer of the protocol. Its associated executor, allocator and cancellation slot are
// the wrapped handler's.
template <class Handler>
struct open_handler
{
    Handler handler;

    void operator()(const boost::system::error_code& ec, connection_pair<stream_protocol> c)
    {
        std::pair<stream_reader, stream_writer> rw;
        if (c.second) {
            rw.first = c.second->reader();
            rw.second = c.second->writer();
        }
        std::move(handler)(ec, std::move(rw));
    }
};

struct initiate_open
{
    initiate_connect<stream_protocol> inner;

    connect_error_mapper error_mapper() const { return inner.error_mapper(); }

    template <class Handler>
    void operator()(Handler&& h, connect_target target, connection_options opts) const
    {
        std::size_t limit = opts.limit;
        inner(
            open_handler<std::decay_t<Handler>>{static_cast<Handler&&>(h)},
            [limit] { return make_stream_protocol(get_running_loop(), limit); }, std::move(target),
            opts);
    }
};

using open_signature = void(boost::system::error_code, std::pair<stream_reader, stream_writer>);

template <class CompletionToken>
auto start_open(connect_target target, const connection_options& options, CompletionToken&& token)
{
    refuse_ssl(options, target.is_unix);
    return boost::asio::async_initiate<CompletionToken, open_signature>(initiate_open{}, token,
                                                                        std::move(target), options);
}

} // namespace detail

template <class CompletionToken>
auto open_connection(std::string_view host, std::uint16_t port, const connection_options& options,
                     CompletionToken&& token)
{
    return detail::start_open(
        detail::connect_target{false, std::string(host), std::to_string(port), {}}, options,
        static_cast<CompletionToken&&>(token));
}

template <class CompletionToken>
auto open_connection(std::string_view host, std::string_view port,
                     const connection_options& options, CompletionToken&& token)
{
    return detail::start_open(
        detail::connect_target{false, std::string(host), std::string(port), {}}, options,
        static_cast<CompletionToken&&>(token));
}

template <class CompletionToken>
auto open_unix_connection(const std::filesystem::path& path, const connection_options& options,
                          CompletionToken&& token)
{
    return detail::start_open(detail::connect_target{true, path.native(), std::string(), {}},
                              options, static_cast<CompletionToken&&>(token));
}

} // namespace boost::tulip

namespace boost::asio {

template <template <class, class> class Associator, class Handler, class DefaultCandidate>
struct associator<Associator, boost::tulip::detail::open_handler<Handler>, DefaultCandidate>
    : boost::tulip::detail::forward_associator<
          Associator, boost::tulip::detail::open_handler<Handler>, Handler, DefaultCandidate>
{};

} // namespace boost::asio

#endif
