//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_IMPL_FILE_HPP
#define BOOST_TULIP_IMPL_FILE_HPP

#include <boost/tulip/detail/suspended_op.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/system/system_error.hpp>

#include <cstddef>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace boost::tulip {
namespace detail {

/// A parsed Python mode.
struct file_mode
{
    int flags = 0; // open(2) flags
    bool readable = false;
    bool writable = false;
    bool append = false;
};

/// Parses `mode`. @throws std::invalid_argument for a mode Python refuses.
file_mode parse_file_mode(std::string_view mode);

template <class T>
using file_result = std::pair<boost::system::error_code, T>;

/** The state behind `async_file` handles. Each operation is a coroutine on the loop that
    never throws: its outcome is an error code and a value. Defined in file.cpp. */
class file_state : public std::enable_shared_from_this<file_state>
{
public:
    virtual ~file_state() = default;

    static boost::asio::awaitable<file_result<std::shared_ptr<file_state>>>
    open(std::filesystem::path path, file_mode mode, file_backend backend);

    virtual boost::asio::awaitable<file_result<std::string>> read(std::ptrdiff_t n) = 0;
    virtual boost::asio::awaitable<file_result<std::string>> readline() = 0;
    // The same outcomes when the read-ahead holds them whole (false: the kernel is needed,
    // or the file is closed or busy, and the coroutine above says what happens).
    virtual bool read_buffered(std::ptrdiff_t n, std::string& out) = 0;
    virtual bool readline_buffered(std::string& out) = 0;
    virtual boost::asio::awaitable<file_result<std::size_t>> write(std::string data) = 0;
    virtual boost::asio::awaitable<file_result<std::uint64_t>> seek(std::int64_t offset,
                                                                    seek_origin origin) = 0;
    virtual boost::asio::awaitable<file_result<std::uint64_t>> tell() = 0;
    virtual boost::asio::awaitable<file_result<bool>> flush() = 0;
    virtual boost::asio::awaitable<file_result<bool>> close() = 0;

    virtual file_backend backend() const noexcept = 0;
    virtual int native_handle() const noexcept = 0;
    const std::filesystem::path& path() const noexcept { return path_; }
    event_loop& loop() const noexcept { return *loop_; }

protected:
    file_state(event_loop& loop, std::filesystem::path path)
        : loop_(&loop)
        , path_(std::move(path))
    {}

private:
    event_loop* loop_;
    std::filesystem::path path_;
};

struct file_access
{
    static async_file make(std::shared_ptr<file_state> s) { return async_file(std::move(s)); }
    static const std::shared_ptr<file_state>& state(const async_file& f) { return f.s_; }
};

/// The code a coroutine's escaped exception stands for (never expected: the operations
/// turn their failures into codes; a cancellation or an allocation failure may escape).
boost::system::error_code file_error_of(const std::exception_ptr& e) noexcept;

// co_spawn's completion for a file operation: hands the outcome to the caller's handler.
template <class T, class Handler>
struct file_completion
{
    Handler handler;
    event_loop* loop;

    void operator()(std::exception_ptr e, file_result<T> r)
    {
        if (e)
            r.first = file_error_of(e);
        if constexpr (std::is_same_v<T, bool>)
            deliver(*loop, std::move(handler), code_completion{r.first}, delivery::dispatched);
        else
            deliver(*loop, std::move(handler),
                    values_completion<boost::system::error_code, T>{{r.first, std::move(r.second)}},
                    delivery::dispatched);
    }
};

// awaitable_token's mapper: the operation and the path in the message.
struct file_error_mapper
{
    const char* what;
    std::string path;

    template <class... Ts>
    [[noreturn]] void operator()(const boost::system::error_code& ec, Ts&...) const
    {
        if (ec == error::invalid_state)
            throw invalid_state_error(std::string(what) + " " + path +
                                      ": the file is closed, busy with another operation, or "
                                      "not open for this");
        throw boost::system::system_error(ec, std::string(what) + " " + path);
    }
};

template <class T>
struct initiate_file_op
{
    const char* what;
    std::shared_ptr<file_state> s;

    file_error_mapper error_mapper() const { return {what, s ? s->path().string() : ""}; }

    // `now(state, out)`, if given, takes the outcome at once when it is there (a read the
    // read-ahead holds): on the file's own loop thread it completes without a coroutine
    // or a trip through the scheduler, as an immediate completion (see deliver()).
    template <class Handler, class Make, class Now = std::nullptr_t>
    void operator()(Handler&& h, Make make, Now now = nullptr) const
    {
        event_loop& loop = s->loop();
        if constexpr (!std::is_same_v<Now, std::nullptr_t>) {
            T out{};
            if (current.loop == &loop && now(*s, out)) {
                deliver(loop, static_cast<Handler&&>(h),
                        values_completion<boost::system::error_code, T>{
                            {boost::system::error_code(), std::move(out)}},
                        delivery::immediate);
                return;
            }
        }
        auto slot = boost::asio::get_associated_cancellation_slot(h);
        boost::asio::co_spawn(
            loop.get_executor(), make(*s),
            boost::asio::bind_cancellation_slot(
                slot, file_completion<T, std::decay_t<Handler>>{static_cast<Handler&&>(h), &loop}));
    }
};

template <class T, class Token, class Make, class Now = std::nullptr_t>
auto start_file_op(const char* what, const std::shared_ptr<file_state>& s, Token&& token, Make make,
                   Now now = nullptr)
{
    if constexpr (std::is_same_v<T, bool>)
        return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
            initiate_file_op<T>{what, s}, token, std::move(make));
    else
        return boost::asio::async_initiate<Token, void(boost::system::error_code, T)>(
            initiate_file_op<T>{what, s}, token, std::move(make), std::move(now));
}

// open_file: the state is made by a coroutine, then wrapped in a handle.
struct initiate_open_file
{
    std::filesystem::path path;

    file_error_mapper error_mapper() const { return {"open", path.string()}; }

    template <class Handler>
    void operator()(Handler&& h, file_mode mode, file_options options) const
    {
        event_loop& loop = get_running_loop();
        auto slot = boost::asio::get_associated_cancellation_slot(h);
        boost::asio::co_spawn(
            loop.get_executor(), file_state::open(path, mode, options.backend),
            boost::asio::bind_cancellation_slot(
                slot,
                [h = std::decay_t<Handler>(static_cast<Handler&&>(h)), l = &loop](
                    std::exception_ptr e, file_result<std::shared_ptr<file_state>> r) mutable {
                    if (e)
                        r.first = file_error_of(e);
                    async_file f;
                    if (!r.first)
                        f = file_access::make(std::move(r.second));
                    deliver(*l, std::move(h),
                            values_completion<boost::system::error_code, async_file>{
                                {r.first, std::move(f)}},
                            delivery::dispatched);
                }));
    }
};

async_generator<std::string> file_lines(async_file f);

} // namespace detail

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::string))
              CompletionToken>
auto async_file::read(std::ptrdiff_t n, CompletionToken&& token)
{
    return detail::start_file_op<std::string>(
        "read", s_, static_cast<CompletionToken&&>(token),
        [n](detail::file_state& s) { return s.read(n); },
        [n](detail::file_state& s, std::string& out) { return s.read_buffered(n, out); });
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::string))
              CompletionToken>
auto async_file::readline(CompletionToken&& token)
{
    return detail::start_file_op<std::string>(
        "readline", s_, static_cast<CompletionToken&&>(token),
        [](detail::file_state& s) { return s.readline(); },
        [](detail::file_state& s, std::string& out) { return s.readline_buffered(out); });
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::size_t))
              CompletionToken>
auto async_file::write(std::string_view data, CompletionToken&& token)
{
    return detail::start_file_op<std::size_t>(
        "write", s_, static_cast<CompletionToken&&>(token),
        [d = std::string(data)](detail::file_state& s) mutable { return s.write(std::move(d)); });
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::uint64_t))
              CompletionToken>
auto async_file::seek(std::int64_t offset, seek_origin origin, CompletionToken&& token)
{
    return detail::start_file_op<std::uint64_t>(
        "seek", s_, static_cast<CompletionToken&&>(token),
        [offset, origin](detail::file_state& s) { return s.seek(offset, origin); });
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::uint64_t))
              CompletionToken>
auto async_file::tell(CompletionToken&& token)
{
    return detail::start_file_op<std::uint64_t>("tell", s_, static_cast<CompletionToken&&>(token),
                                                [](detail::file_state& s) { return s.tell(); });
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code)) CompletionToken>
auto async_file::flush(CompletionToken&& token)
{
    return detail::start_file_op<bool>("flush", s_, static_cast<CompletionToken&&>(token),
                                       [](detail::file_state& s) { return s.flush(); });
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code)) CompletionToken>
auto async_file::close(CompletionToken&& token)
{
    return detail::start_file_op<bool>("close", s_, static_cast<CompletionToken&&>(token),
                                       [](detail::file_state& s) { return s.close(); });
}

inline async_generator<std::string> async_file::lines()
{
    return detail::file_lines(*this);
}

template <class CompletionToken>
auto open_file(const std::filesystem::path& path, std::string_view mode,
               const file_options& options, CompletionToken&& token)
{
    detail::file_mode m = detail::parse_file_mode(mode);
    return boost::asio::async_initiate<CompletionToken,
                                       void(boost::system::error_code, async_file)>(
        detail::initiate_open_file{path}, token, m, options);
}

template <class CompletionToken>
    requires(!std::is_same_v<std::decay_t<CompletionToken>, file_options>)
auto open_file(const std::filesystem::path& path, std::string_view mode, CompletionToken&& token)
{
    return open_file(path, mode, file_options{}, static_cast<CompletionToken&&>(token));
}

} // namespace boost::tulip

namespace boost::asio {

template <template <class, class> class Associator, class T, class Handler, class DefaultCandidate>
struct associator<Associator, boost::tulip::detail::file_completion<T, Handler>, DefaultCandidate>
    : boost::tulip::detail::forward_associator<
          Associator, boost::tulip::detail::file_completion<T, Handler>, Handler, DefaultCandidate>
{};

} // namespace boost::asio

#endif
