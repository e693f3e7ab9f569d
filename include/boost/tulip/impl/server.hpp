//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_SERVER_HPP
#define BOOST_TULIP_IMPL_SERVER_HPP

#include <boost/tulip/detail/awaiting.hpp>
#include <boost/tulip/detail/handler_loop.hpp>
#include <boost/tulip/detail/socket_transport.hpp>
#include <boost/tulip/detail/stream_protocol.hpp>
#include <boost/tulip/detail/suspended_op.hpp>

#include <stdexcept>
#include <utility>

namespace boost::tulip {
namespace detail {

template <class Op>
void server_waiter::on_cancel(Op& op)
{
    if (forever && !aborted) {
        // Cancelling serve_forever closes the server and waits as wait_closed does
        // (asyncio's close(); await wait_closed()). close() may complete this very
        // operation: nothing here is touched afterwards.
        aborted = true;
        std::shared_ptr<server_state> s = st;
        s->close();
        return;
    }
    st->remove_waiter(this);
    if (forever)
        st->count_forever(-1);
    op.complete(boost::asio::error::operation_aborted, delivery::posted);
}

void format_server_label(std::string& out, const void* st);
inline constexpr await_desc awaiting_serving{"serving", await_kind::custom, nullptr,
                                             &format_server_label};
inline constexpr await_desc awaiting_server_closed{"server.wait_closed", await_kind::custom,
                                                   nullptr, &format_server_label};

struct initiate_server_wait
{
    std::shared_ptr<server_state> st;
    bool forever;

    template <class Handler>
    void operator()(Handler&& h) const
    {
        using handler_type = std::decay_t<Handler>;
        event_loop& loop = st->loop();
        if (forever) {
            if (st->is_closed() || st->has_forever_waiter()) {
                deliver(loop, static_cast<Handler&&>(h), code_completion{error::invalid_state},
                        delivery::immediate);
                return;
            }
            st->start_serving();
        } else if (st->closed_and_idle()) {
            deliver(loop, static_cast<Handler&&>(h), code_completion{}, delivery::immediate);
            return;
        }
        auto* op = new suspended_op<handler_type, server_waiter, server_waiter_completion>(
            loop, handler_type(static_cast<Handler&&>(h)), st, forever);
        st->add_waiter(op);
        if (forever)
            st->count_forever(1);
        op->arm(forever ? awaiting_serving : awaiting_server_closed, st.get());
    }
};

// ---- stream servers -------------------------------------------------------------------

// g++ 12 warns (-Wsubobject-linkage) when F is a lambda of an unnamed namespace, since
// the coroutine frame keeps a pointer to it: harmless, the frame type is as local as F.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsubobject-linkage"
#endif
template <class F>
awaitable<void> serve_stream_connection(std::shared_ptr<server_state> st, std::uint64_t id,
                                        std::shared_ptr<F> cb, stream_reader r, stream_writer w)
{
    std::exception_ptr e;
    try {
        // The handler owns the reader and writer: when it ends they are gone, and the
        // connection closes unless it kept a writer elsewhere.
        auto work = (*cb)(std::move(r), std::move(w));
        co_await std::move(work);
    } catch (...) {
        e = std::current_exception();
    }
    st->handler_ended(id, e);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

template <class F>
struct stream_starter final : connection_starter
{
    static_assert(std::is_invocable_r_v<awaitable<void>, F&, stream_reader, stream_writer>,
                  "start_server: the callback must be callable as "
                  "awaitable<void>(stream_reader, stream_writer)");

    explicit stream_starter(F f)
        : cb(std::make_shared<F>(std::move(f)))
    {}

    template <class Socket>
    void start_one(server_state& st, Socket s, std::string name)
    {
        event_loop& loop = st.loop();
        start_with(
            st,
            [&](std::shared_ptr<base_protocol> p) {
                return make_socket_transport(loop, std::move(s), std::move(p));
            },
            std::move(name));
    }

    void start_made(server_state& st, const transport_maker& make, std::string name) override
    {
        start_with(st, make, std::move(name));
    }

    template <class Make>
    void start_with(server_state& st, const Make& make, std::string name)
    {
        event_loop& loop = st.loop();
        auto proto = make_stream_protocol(loop, st.limit());
        std::uint64_t id = st.attach();
        std::shared_ptr<transport> t;
        try {
            t = make(proto);
        } catch (...) {
            st.detach(id);
            throw;
        }
        st.watch(id, t, true);
        task_options o;
        o.name = name;
        o.ctx = st.captured_context();
        try {
            create_task(loop.get_executor(),
                        serve_stream_connection<F>(st.shared_from_this(), id, cb, proto->reader(),
                                                   proto->writer()),
                        o);
        } catch (...) {
            st.handler_ended(id, nullptr); // no handler: the dropped writer closes it
            throw;
        }
    }

    void start(server_state& st, boost::asio::ip::tcp::socket s) override
    {
        boost::system::error_code ec;
        auto peer = s.remote_endpoint(ec);
        start_one(st, std::move(s), ec ? std::string("tcp client") : format_peer(peer));
    }
    void start(server_state& st, boost::asio::local::stream_protocol::socket s) override
    {
        start_one(st, std::move(s), "unix:" + st.path().string());
    }

    std::shared_ptr<F> cb;
};

// ---- protocol servers -----------------------------------------------------------------

template <class Factory>
struct protocol_starter final : connection_starter
{
    explicit protocol_starter(Factory f)
        : factory(std::move(f))
    {}

    template <class Socket>
    void start_one(server_state& st, Socket s)
    {
        start_with(st, [&](std::shared_ptr<base_protocol> p) {
            return make_socket_transport(st.loop(), std::move(s), std::move(p));
        });
    }

    void start_made(server_state& st, const transport_maker& make, std::string) override
    {
        start_with(st, make);
    }

    template <class Make>
    void start_with(server_state& st, const Make& make)
    {
        auto p = factory();
        using P = typename decltype(p)::element_type;
        static_assert(std::is_base_of_v<protocol, P> || std::is_base_of_v<buffered_protocol, P>,
                      "create_server: the factory must return std::shared_ptr<P> for a "
                      "protocol or buffered_protocol P");
        std::uint64_t id = st.attach();
        std::shared_ptr<transport> t;
        try {
            t = make(std::shared_ptr<base_protocol>(std::move(p)));
        } catch (...) {
            st.detach(id);
            throw;
        }
        // The transport tells the server when it ends, whatever its protocol is then
        // (set_protocol) and whoever keeps it.
        st.watch(id, t, false);
    }

    void start(server_state& st, boost::asio::ip::tcp::socket s) override
    {
        start_one(st, std::move(s));
    }
    void start(server_state& st, boost::asio::local::stream_protocol::socket s) override
    {
        start_one(st, std::move(s));
    }

    Factory factory;
};

// ---- start --------------------------------------------------------------------------

// awaitable_token's mapper of a start function: the error names what was being started
// ("start_server on 127.0.0.1:8443: Address already in use"), as asyncio's does.
struct start_server_mapper
{
    std::string where;

    [[noreturn]] void operator()(const boost::system::error_code& ec, server&) const
    {
        if (ec.category() == tulip_category())
            throw_tulip_error(ec);
        throw boost::system::system_error(ec, where);
    }
};

struct initiate_start_tcp
{
    std::string where;

    start_server_mapper error_mapper() const { return {where}; }

    template <class Handler>
    void operator()(Handler&& h, std::shared_ptr<connection_starter> starter,
                    std::vector<std::string> hosts, unsigned short port, server_options o) const
    {
        using handler_type = std::decay_t<Handler>;
        event_loop& loop = loop_for_handler(h);
        // The handler travels through the resolver's callback (a std::function needs a
        // copyable target).
        auto hp = std::make_shared<handler_type>(static_cast<Handler&&>(h));
        event_loop* lp = &loop;
        context ctx = copy_context();
        resolve_passive(
            loop, std::move(hosts), port,
            [hp, lp, starter = std::move(starter), o,
             ctx](boost::system::error_code ec,
                  std::vector<boost::asio::ip::tcp::endpoint> eps) mutable {
                server srv;
                if (!ec) {
                    auto st = std::make_shared<server_state>(*lp, starter, o.limit, ctx);
                    ec = st->listen_tcp(eps, o);
                    if (!ec) {
                        if (o.start_serving)
                            st->start_serving();
                        srv = server(std::move(st));
                    }
                }
                deliver(*lp, std::move(*hp),
                        values_completion<boost::system::error_code, server>{{ec, std::move(srv)}},
                        delivery::posted);
            });
    }
};

struct initiate_start_unix
{
    std::string where;

    start_server_mapper error_mapper() const { return {where}; }

    template <class Handler>
    void operator()(Handler&& h, std::shared_ptr<connection_starter> starter,
                    std::filesystem::path path, server_options o) const
    {
        event_loop& loop = loop_for_handler(h);
        auto st = std::make_shared<server_state>(loop, std::move(starter), o.limit, copy_context());
        boost::system::error_code ec = st->listen_unix(path, o);
        server srv;
        if (!ec) {
            if (o.start_serving)
                st->start_serving();
            srv = server(std::move(st));
        }
        deliver(loop, static_cast<Handler&&>(h),
                values_completion<boost::system::error_code, server>{{ec, std::move(srv)}},
                delivery::immediate);
    }
};

template <class Token>
auto start_tcp(std::shared_ptr<connection_starter> starter, std::vector<std::string> hosts,
               unsigned short port, const server_options& o, Token&& token)
{
    check_server_options(o);
    std::string where = "listening on ";
    for (std::size_t i = 0; i < hosts.size(); ++i)
        where += (i ? ", " : "") + (hosts[i].empty() ? std::string("*") : hosts[i]);
    where += " port " + std::to_string(port);
    return boost::asio::async_initiate<Token, void(boost::system::error_code, server)>(
        initiate_start_tcp{std::move(where)}, token, std::move(starter), std::move(hosts), port, o);
}

template <class Token>
auto start_unix(std::shared_ptr<connection_starter> starter, std::filesystem::path path,
                const server_options& o, Token&& token)
{
    check_server_options(o);
    std::string where = "listening on " + path.string();
    return boost::asio::async_initiate<Token, void(boost::system::error_code, server)>(
        initiate_start_unix{std::move(where)}, token, std::move(starter), std::move(path), o);
}

inline std::vector<std::string> host_list(std::string_view host)
{
    return {std::string(host)};
}

template <class Range>
std::vector<std::string> host_list(const Range& r)
{
    std::vector<std::string> v;
    for (const auto& h : r)
        v.emplace_back(std::string_view(h));
    return v;
}

// The one body of every TCP start_server and create_server overload: `Starter` (a
// stream_starter or protocol_starter) made from the callback or factory, on the hosts.
template <class Starter, class Arg, class Hosts, class Token>
auto start_tcp_server(Arg arg, const Hosts& hosts, unsigned short port, const server_options& o,
                      Token&& token)
{
    return start_tcp(std::make_shared<Starter>(std::move(arg)), host_list(hosts), port, o,
                     static_cast<Token&&>(token));
}

} // namespace detail

// ---- server -----------------------------------------------------------------------------

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code)) CompletionToken>
auto server::serve_forever(CompletionToken&& token) const
{
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
        detail::initiate_server_wait{st_, true}, token);
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code)) CompletionToken>
auto server::wait_closed(CompletionToken&& token) const
{
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
        detail::initiate_server_wait{st_, false}, token);
}

// ---- start functions ----------------------------------------------------------------------

template <class Callback,
          BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, server)) CompletionToken>
auto start_server(Callback cb, std::string_view host, unsigned short port, server_options options,
                  CompletionToken&& token)
{
    return detail::start_tcp_server<detail::stream_starter<Callback>>(
        std::move(cb), host, port, options, static_cast<CompletionToken&&>(token));
}

template <class Callback,
          BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, server)) CompletionToken>
auto start_server(Callback cb, std::initializer_list<std::string_view> hosts, unsigned short port,
                  server_options options, CompletionToken&& token)
{
    return detail::start_tcp_server<detail::stream_starter<Callback>>(
        std::move(cb), hosts, port, options, static_cast<CompletionToken&&>(token));
}

template <class Callback,
          BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, server)) CompletionToken>
auto start_server(Callback cb, std::span<const std::string> hosts, unsigned short port,
                  server_options options, CompletionToken&& token)
{
    return detail::start_tcp_server<detail::stream_starter<Callback>>(
        std::move(cb), hosts, port, options, static_cast<CompletionToken&&>(token));
}

template <class Callback,
          BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, server)) CompletionToken>
auto start_server(Callback cb, std::span<const std::string_view> hosts, unsigned short port,
                  server_options options, CompletionToken&& token)
{
    return detail::start_tcp_server<detail::stream_starter<Callback>>(
        std::move(cb), hosts, port, options, static_cast<CompletionToken&&>(token));
}

template <class Callback,
          BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, server)) CompletionToken>
auto start_unix_server(Callback cb, std::filesystem::path path, server_options options,
                       CompletionToken&& token)
{
    return detail::start_unix(std::make_shared<detail::stream_starter<Callback>>(std::move(cb)),
                              std::move(path), options, static_cast<CompletionToken&&>(token));
}

template <class Factory,
          BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, server)) CompletionToken>
auto create_server(Factory factory, std::string_view host, unsigned short port,
                   server_options options, CompletionToken&& token)
{
    return detail::start_tcp_server<detail::protocol_starter<Factory>>(
        std::move(factory), host, port, options, static_cast<CompletionToken&&>(token));
}

template <class Factory,
          BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, server)) CompletionToken>
auto create_server(Factory factory, std::initializer_list<std::string_view> hosts,
                   unsigned short port, server_options options, CompletionToken&& token)
{
    return detail::start_tcp_server<detail::protocol_starter<Factory>>(
        std::move(factory), hosts, port, options, static_cast<CompletionToken&&>(token));
}

template <class Factory,
          BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, server)) CompletionToken>
auto create_server(Factory factory, std::span<const std::string_view> hosts, unsigned short port,
                   server_options options, CompletionToken&& token)
{
    return detail::start_tcp_server<detail::protocol_starter<Factory>>(
        std::move(factory), hosts, port, options, static_cast<CompletionToken&&>(token));
}

template <class Factory,
          BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, server)) CompletionToken>
auto create_server(Factory factory, std::span<const std::string> hosts, unsigned short port,
                   server_options options, CompletionToken&& token)
{
    return detail::start_tcp_server<detail::protocol_starter<Factory>>(
        std::move(factory), hosts, port, options, static_cast<CompletionToken&&>(token));
}

template <class Factory,
          BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, server)) CompletionToken>
auto create_unix_server(Factory factory, std::filesystem::path path, server_options options,
                        CompletionToken&& token)
{
    return detail::start_unix(
        std::make_shared<detail::protocol_starter<Factory>>(std::move(factory)), std::move(path),
        options, static_cast<CompletionToken&&>(token));
}

} // namespace boost::tulip

#endif
