//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Small coroutines and exception readers the unit tests share.

#ifndef BOOST_TULIP_TEST_UNIT_HELPERS_HPP
#define BOOST_TULIP_TEST_UNIT_HELPERS_HPP

#include <boost/tulip/error.hpp>
#include <boost/tulip/sleep.hpp>
#include <boost/tulip/task.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <exception>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace tulip_test {

inline boost::tulip::awaitable<void> set_flag(bool& flag)
{
    flag = true;
    co_return;
}

inline boost::tulip::awaitable<int> value_after(boost::tulip::duration d, int v)
{
    co_await boost::tulip::sleep(d);
    co_return v;
}

inline boost::tulip::awaitable<int> immediate(int v)
{
    co_return v;
}

inline boost::tulip::awaitable<int> fail_after(boost::tulip::duration d, std::string what)
{
    co_await boost::tulip::sleep(d);
    throw std::runtime_error(what);
}

inline boost::tulip::awaitable<void> mark_after(boost::tulip::duration d, bool& flag)
{
    co_await boost::tulip::sleep(d);
    flag = true;
}

// The running loop's (virtual) time.
inline boost::tulip::clock::time_point now()
{
    return boost::tulip::get_running_loop().time();
}

// Lets every task and callback that is ready run (the clock is virtual).
inline boost::tulip::awaitable<void> settle()
{
    using namespace std::chrono_literals;
    co_await boost::tulip::sleep(1ms);
}

// Cancels `t` with `msg` after `d`.
inline void cancel_later(boost::tulip::any_task t, boost::tulip::duration d, std::string msg = {})
{
    boost::tulip::call_later(d, [t, msg]() mutable { t.cancel(msg); });
}

// Awaits `t`, whatever it ends with.
template <class Task>
boost::tulip::awaitable<void> finish(Task t)
{
    try {
        co_await t.wait();
    } catch (...) {
    }
}

// Awaits `t` and tells whether it ended with a cancellation (is_cancellation).
template <class Task>
boost::tulip::awaitable<bool> ends_cancelled(Task t)
{
    try {
        co_await t.wait();
    } catch (const std::exception& e) {
        co_return boost::tulip::is_cancellation(e);
    }
    co_return false;
}

// The exception thrown by `aw`, or null.
template <class T>
boost::tulip::awaitable<std::exception_ptr> error_of(boost::tulip::awaitable<T> aw)
{
    try {
        co_await std::move(aw);
    } catch (...) {
        co_return std::current_exception();
    }
    co_return nullptr;
}

// What `f()` threw, or null.
template <class F>
std::exception_ptr thrown_by(F&& f)
{
    try {
        f();
    } catch (...) {
        return std::current_exception();
    }
    return nullptr;
}

// True if `e` holds an `E` (or something derived from it).
template <class E>
bool holds(const std::exception_ptr& e)
{
    if (!e)
        return false;
    try {
        std::rethrow_exception(e);
    } catch (const E&) {
        return true;
    } catch (...) {
        return false;
    }
}

// what() of a std::exception, or a marker.
inline std::string what_of(const std::exception_ptr& e)
{
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        return x.what();
    } catch (...) {
        return "<not a std::exception>";
    }
}

// what() of `e`, or a marker for none.
inline std::string describe(const std::exception_ptr& e)
{
    return e ? what_of(e) : std::string("<no exception>");
}

// The message of `e` names one of `words` (lower case; the match ignores case).
inline bool names_any(const std::exception_ptr& e, std::initializer_list<std::string_view> words)
{
    std::string m = describe(e);
    std::transform(m.begin(), m.end(), m.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (auto w : words)
        if (m.find(w) != std::string::npos)
            return true;
    return false;
}

// The message of a cancelled_error, or a marker if `e` is something else.
inline std::string cancel_message(const std::exception_ptr& e)
{
    if (!e)
        return "<no exception>";
    try {
        std::rethrow_exception(e);
    } catch (const boost::tulip::cancelled_error& c) {
        return c.message();
    } catch (...) {
        return "<not a cancelled_error>";
    }
}

} // namespace tulip_test

#endif
