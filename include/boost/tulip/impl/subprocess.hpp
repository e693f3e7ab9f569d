//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_SUBPROCESS_HPP
#define BOOST_TULIP_IMPL_SUBPROCESS_HPP

#include <boost/tulip/detail/handler_loop.hpp>
#include <boost/tulip/detail/thread_state.hpp>

#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/system/system_error.hpp>

#include <array>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <type_traits>

namespace boost::tulip {
namespace detail {

struct process_access
{
    static const std::shared_ptr<process_state>& state(const process& p) noexcept { return p.st_; }
    static void set_state(process& p, std::shared_ptr<process_state> st) noexcept
    {
        p.st_ = std::move(st);
    }
};

/** Starts a child as `options` says (`shell`: `program` is a command for /bin/sh -c, and
    `args` is unused) and fills `out`. On failure returns the error and sets `what` to a
    message naming what failed (the program, the working directory). Runs on `loop`'s
    thread. @throws std::invalid_argument for a redirect a stream cannot take. */
boost::system::error_code spawn_subprocess(event_loop& loop, const std::string& program,
                                           const std::vector<std::string>& args,
                                           const subprocess_options& options, bool shell,
                                           process& out, std::string& what);

// awaitable_token's mapping of a failed start: a system_error naming the program.
struct spawn_error_mapper
{
    std::shared_ptr<std::string> what;

    [[noreturn]] void operator()(const boost::system::error_code& ec, process&) const
    {
        throw boost::system::system_error(ec, *what);
    }
};

struct initiate_spawn
{
    // Where the start writes its message for the mapper (taken before the start).
    std::shared_ptr<std::string> what = std::make_shared<std::string>();

    spawn_error_mapper error_mapper() const { return {what}; }

    // awaitable_token's path: a start without pipes finishes at once, so the awaiting
    // coroutine does it without an asynchronous operation.
    std::optional<std::tuple<boost::system::error_code, process>>
    try_complete(const std::string& program, const std::vector<std::string>& args,
                 const subprocess_options& opts, bool shell) const
    {
        event_loop* loop = current.loop;
        if (!loop || has_pipes(opts))
            return std::nullopt;
        std::tuple<boost::system::error_code, process> r;
        std::get<0>(r) = spawn_subprocess(*loop, program, args, opts, shell, std::get<1>(r), *what);
        return r;
    }

    static bool has_pipes(const subprocess_options& o) noexcept
    {
        return o.stdin_ == redirect::pipe || o.stdout_ == redirect::pipe ||
               o.stderr_ == redirect::pipe;
    }

    template <class Handler>
    void operator()(Handler&& h, const std::string& program, const std::vector<std::string>& args,
                    const subprocess_options& opts, bool shell) const
    {
        event_loop& loop = loop_for_handler(h);
        process p;
        auto ec = spawn_subprocess(loop, program, args, opts, shell, p, *what);
        // The pipes' transports post their connection_made: the handler is posted after
        // them (the loop runs its queue in order), so the streams are usable at once.
        deliver(loop, static_cast<Handler&&>(h),
                values_completion<boost::system::error_code, process>{{ec, std::move(p)}},
                has_pipes(opts) ? delivery::posted : delivery::immediate);
    }
};

using spawn_signature = void(boost::system::error_code, process);

// The parallel group's completion turned into communicate's. Its associated executor,
// allocator and cancellation slot are the wrapped handler's (the group forwards the
// slot's cancellation to the three operations).
template <class Handler>
struct communicate_handler
{
    Handler handler;
    event_loop* loop;

    void operator()(std::array<std::size_t, 3>, boost::system::error_code out_ec, std::string out,
                    boost::system::error_code err_ec, std::string err,
                    boost::system::error_code wait_ec, int)
    {
        boost::system::error_code ec = out_ec ? out_ec : (err_ec ? err_ec : wait_ec);
        std::move(handler)(ec, std::pair<std::string, std::string>(std::move(out), std::move(err)));
    }
};

// Feeds stdin for communicate: writes `input` and closes (asyncio's _feed_stdin without
// its drain: close sends the buffered bytes first). A child that closed its input early
// is not an error. Returns invalid_state for input that has nowhere to go.
boost::system::error_code feed_stdin(process& p, const std::string& input);

// A reader at its end, standing for a stream that is not a pipe.
stream_reader ended_reader(event_loop& loop);

// awaitable_token's mapping of a failed communicate: input with nowhere to go says so.
struct communicate_error_mapper
{
    [[noreturn]] void operator()(const boost::system::error_code& ec,
                                 std::pair<std::string, std::string>&) const
    {
        if (ec == error::invalid_state)
            throw invalid_state_error("tulip::process::communicate: input given, but stdin is "
                                      "not a pipe or was closed (by an earlier communicate)");
        throw_tulip_error(ec);
    }
};

using communicate_signature = void(boost::system::error_code, std::pair<std::string, std::string>);

} // namespace detail

struct process::initiate_wait
{
    detail::process_state* st;

    std::optional<std::tuple<boost::system::error_code, int>> try_complete() const
    {
        if (st->returncode() && detail::current.loop == &st->loop())
            return std::tuple<boost::system::error_code, int>(boost::system::error_code(),
                                                              *st->returncode());
        return std::nullopt;
    }

    template <class Handler>
    void operator()(Handler&& h) const
    {
        st->start_wait(static_cast<Handler&&>(h));
    }
};

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, int)) CompletionToken>
auto process::wait(CompletionToken&& token)
{
    if (!st_)
        throw invalid_state_error("tulip::process::wait: an empty process handle");
    st_->check_loop();
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code, int)>(
        initiate_wait{st_.get()}, token);
}

struct process::initiate_communicate
{
    process self; // the streams and the state stay alive while the reads run

    detail::communicate_error_mapper error_mapper() const { return {}; }

    template <class Handler>
    void operator()(Handler&& h, std::string input) const
    {
        process p = self;
        event_loop& loop = p.st_->loop();
        if (auto ec = detail::feed_stdin(p, input)) {
            detail::deliver(
                loop, static_cast<Handler&&>(h),
                detail::values_completion<boost::system::error_code,
                                          std::pair<std::string, std::string>>{{ec, {}}},
                detail::delivery::immediate);
            return;
        }
        stream_reader out = p.stdout_ ? *p.stdout_ : detail::ended_reader(loop);
        stream_reader err = p.stderr_ ? *p.stderr_ : detail::ended_reader(loop);
        using handler_type = std::decay_t<Handler>;
        boost::asio::experimental::make_parallel_group(out.read(-1, boost::asio::deferred),
                                                       err.read(-1, boost::asio::deferred),
                                                       p.wait(boost::asio::deferred))
            .async_wait(boost::asio::experimental::wait_for_all(),
                        detail::communicate_handler<handler_type>{
                            handler_type(static_cast<Handler&&>(h)), &loop});
    }
};

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(
    void(boost::system::error_code, std::pair<std::string, std::string>)) CompletionToken>
auto process::communicate(std::string input, CompletionToken&& token)
{
    if (!st_)
        throw invalid_state_error("tulip::process::communicate: an empty process handle");
    st_->check_loop();
    return boost::asio::async_initiate<CompletionToken, detail::communicate_signature>(
        initiate_communicate{*this}, token, std::move(input));
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(
    void(boost::system::error_code, std::pair<std::string, std::string>)) CompletionToken>
auto process::communicate(CompletionToken&& token)
{
    return communicate(std::string(), static_cast<CompletionToken&&>(token));
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, process)) CompletionToken>
auto create_subprocess_exec(std::string_view program, std::vector<std::string> args,
                            const subprocess_options& options, CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken, detail::spawn_signature>(
        detail::initiate_spawn{}, token, std::string(program), std::move(args), options, false);
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, process)) CompletionToken>
auto create_subprocess_exec(std::string_view program, std::vector<std::string> args,
                            CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken, detail::spawn_signature>(
        detail::initiate_spawn{}, token, std::string(program), std::move(args),
        subprocess_options(), false);
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, process)) CompletionToken>
auto create_subprocess_shell(std::string_view cmd, const subprocess_options& options,
                             CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken, detail::spawn_signature>(
        detail::initiate_spawn{}, token, std::string(cmd), std::vector<std::string>(), options,
        true);
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, process)) CompletionToken>
auto create_subprocess_shell(std::string_view cmd, CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken, detail::spawn_signature>(
        detail::initiate_spawn{}, token, std::string(cmd), std::vector<std::string>(),
        subprocess_options(), true);
}

} // namespace boost::tulip

namespace boost::asio {

template <template <class, class> class Associator, class Handler, class DefaultCandidate>
struct associator<Associator, boost::tulip::detail::communicate_handler<Handler>, DefaultCandidate>
    : boost::tulip::detail::forward_associator<
          Associator, boost::tulip::detail::communicate_handler<Handler>, Handler, DefaultCandidate>
{};

} // namespace boost::asio

#endif
