//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_GENERATOR_FRAME_HPP
#define BOOST_TULIP_DETAIL_GENERATOR_FRAME_HPP

// The coroutine frame of an async_generator body.
//
// This is the one place where Tulip depends on asio::detail (checked against Boost 1.81,
// Asio 1.26). An `asio::awaitable` body runs on an "awaitable thread": a stack of frames
// whose top the thread pumps (resumes) until it suspends in an asynchronous operation.
// Every frame is an `awaitable_frame<X, Executor>` deriving from `awaitable_frame_base`,
// whose `await_transform` overloads make Asio operations, `deferred` operations,
// `this_coro` queries and other awaitables co_await-able.
//
// The generator's promise is a specialisation of `awaitable_frame` for a Tulip tag type,
// so the body gets exactly those overloads, and an `awaitable<U>` it awaits sees an
// ordinary awaitable frame as its caller. `next()` pushes the generator frame on top of
// the consumer's frame (`push_frame`, as when awaiting an `awaitable<U>`), so the body runs
// on the consumer's thread of execution: its executor (the consumer task's), its
// cancellation state and its context. `co_yield` pops it off again (`pop_frame`, as a
// returning coroutine does) and the consumer's frame resumes. Between steps the frame is
// detached from every thread and owned by the async_generator handle.
//
// A step of `next()` costs no coroutine frame: the `awaitable<optional<T>>` it returns
// refers to the generator's `step_frame`, an `awaitable_frame<optional<T>>` that is no
// coroutine's promise but a plain object, rebuilt for each step. Its coroutine handle is
// the generator's `step_driver`, a coroutine that lives as long as the generator and loops:
// each time the consumer's thread resumes the step frame, the driver checks the state (as
// `resume_generator` does) and transfers to the body, which delivers its value or its end
// straight into the step frame and pops both frames, so the consumer resumes next. When
// the step is over the step frame's handle becomes `noop_coroutine()`, so the awaitable's
// destroy() after taking the result is nothing; an awaitable dropped before its step ends
// destroys the driver instead, and with it the reference to the generator it held.

#include <boost/tulip/error.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <concepts>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace boost::tulip {
class event_loop;
template <class T, class Send>
class async_generator;

namespace detail {

template <class T, class Send>
struct generator_tag
{};

enum class generator_state : unsigned char
{
    created,   // the body has not started
    suspended, // at a co_yield
    running,   // a next(), asend(), athrow() or aclose() is resuming it
    finished   // returned, threw, or was closed
};

// What does not depend on T: state, ownership, and the loop's list of live generators
// (asyncio's loop._asyncgens, for shutdown_asyncgens()).
class generator_core
{
public:
    generator_state state = generator_state::created;
    bool closing = false;         // aclose() threw generator_exit into the body
    bool finalizer_tried = false; // the loop was asked once to close it
    bool ignored_exit = false;    // a co_yield during aclose() already got its error
    bool step_armed = false;      // an awaitable of next() refers to the step frame
    bool step_holds_ref = false;  // that awaitable's step holds a reference (below)
    bool fast_step = false;       // the running step delivers into the step frame
    std::uint32_t refs = 1;       // the handle, plus operations in progress
    std::exception_ptr inject;    // thrown at the co_yield the body resumes from
    std::exception_ptr error;     // what the body ended with, until delivered
    event_loop* loop = nullptr;   // set at the first step (asyncio's firstiter hook)
    generator_core* prev = nullptr;
    generator_core* next = nullptr;

    void add_ref() noexcept { ++refs; }
    void release() noexcept
    {
        if (--refs == 0)
            last_release();
    }

    // The first step: registers with the running loop, if any.
    void first_iteration() noexcept;
    // Leaves the loop's list (the body finished or the frame is destroyed).
    void unregister() noexcept;

    // Destroys the coroutine frame (and with it this object).
    virtual void destroy_frame() noexcept = 0;
    // aclose() for the loop: reports errors to its exception handler, never throws.
    virtual boost::asio::awaitable<void> close_for_loop() = 0;

protected:
    generator_core() noexcept = default;
    ~generator_core() { unregister(); }
    generator_core(const generator_core&) = delete;
    generator_core& operator=(const generator_core&) = delete;

private:
    // No handle and no operation left: a generator suspended at a co_yield is closed by
    // the loop (a finalizer task running aclose()); anything else is destroyed now.
    void last_release() noexcept;
};

// A counted reference to a generator frame, held by its handle and by each operation.
template <class P>
class generator_ref
{
public:
    generator_ref() noexcept = default;
    explicit generator_ref(P* p) noexcept
        : p_(p)
    {
        if (p_)
            p_->add_ref();
    }
    generator_ref(const generator_ref& o) noexcept
        : generator_ref(o.p_)
    {}
    generator_ref(generator_ref&& o) noexcept
        : p_(std::exchange(o.p_, nullptr))
    {}
    generator_ref& operator=(generator_ref o) noexcept
    {
        std::swap(p_, o.p_);
        return *this;
    }
    ~generator_ref()
    {
        if (p_)
            p_->release();
    }
    P* operator->() const noexcept { return p_; }
    P& operator*() const noexcept { return *p_; }

private:
    P* p_ = nullptr;
};

// Where the value given to asend() waits for the body (nothing for Send = void).
template <class Send>
struct send_slot
{
    std::optional<Send> value;
};
template <>
struct send_slot<void>
{};

[[noreturn]] void throw_generator_running(const char* op);

// The frame next() returns an awaitable of (see the comment at the top).
template <class T, class Executor>
class step_frame : public boost::asio::detail::awaitable_frame<std::optional<T>, Executor>
{
public:
    explicit step_frame(std::coroutine_handle<> driver) noexcept { this->coro_ = driver; }
    void rearm(std::coroutine_handle<> driver) noexcept { this->coro_ = driver; }
    // After the step: destroy() (by the awaitable, once it has the result) does nothing.
    void disarm() noexcept { this->coro_ = std::noop_coroutine(); }
    auto* resume_context() const noexcept { return this->resume_context_; }
};

// The coroutine behind a step frame: resumed by the consumer's thread, it runs
// P::begin_step() and goes where that says (the body, or back to the thread).
template <class P>
struct step_driver
{
    struct promise_type
    {
        P* gen;

        explicit promise_type(P* g) noexcept
            : gen(g)
        {}
        // Destroyed with the generator, or by an awaitable of next() whose step had not
        // ended (never awaited, or its thread was destroyed).
        ~promise_type()
        {
            if (gen)
                gen->driver_destroyed();
        }
        step_driver get_return_object() noexcept
        {
            return {std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() noexcept { return {}; }
        std::suspend_always final_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept { std::terminate(); }
    };

    struct begin
    {
        P* gen;
        bool await_ready() const noexcept { return false; }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<>) const noexcept
        {
            return gen->begin_step();
        }
        void await_resume() const noexcept {}
    };

    std::coroutine_handle<promise_type> handle;
};

template <class P>
step_driver<P> drive_steps(P* gen)
{
    typename step_driver<P>::begin step{gen};
    for (;;)
        co_await step;
}

// The frame of `resume_generator` awaits this: Asio's await_transform runs it right after that
// frame has suspended, and it pushes the generator frame on top, so the thread's pump
// resumes the body next.
template <class P>
struct resume_body
{
    P* p;
    boost::asio::detail::awaitable_thread<boost::asio::any_io_executor>*
    operator()(boost::asio::detail::awaitable_frame_base<boost::asio::any_io_executor>* caller)
        const noexcept
    {
        p->push_frame(caller);
        return nullptr;
    }
};

// aclose() for the loop (impl/generator.hpp).
template <class P>
boost::asio::awaitable<void> close_for_loop(generator_ref<P> g);

} // namespace detail
} // namespace boost::tulip

namespace boost::asio::detail {

// The promise of `tulip::async_generator<T, Send>`.
template <class T, class Send, class Executor>
class awaitable_frame<boost::tulip::detail::generator_tag<T, Send>, Executor>
    : public awaitable_frame_base<Executor>
    , public boost::tulip::detail::generator_core
{
    using core = boost::tulip::detail::generator_core;
    using gstate = boost::tulip::detail::generator_state;
    using step_type = boost::tulip::detail::step_frame<T, Executor>;
    using driver_type = boost::tulip::detail::step_driver<awaitable_frame>;

public:
    using value_type = T;
    using send_type = Send;

    awaitable_frame() noexcept = default;
    ~awaitable_frame()
    {
        if (driver_) {
            driver_.promise().gen = nullptr;
            driver_.destroy();
        }
    }

    boost::tulip::async_generator<T, Send> get_return_object() noexcept
    {
        this->coro_ = coroutine_handle<awaitable_frame>::from_promise(*this);
        return boost::tulip::async_generator<T, Send>(this);
    }

    // initial_suspend (always) comes from the base: the body starts at the first next().

    struct final_awaiter
    {
        awaitable_frame* p;

        bool await_ready() const noexcept { return false; }
        void await_suspend(coroutine_handle<void>) noexcept
        {
            p->pop_frame();
            if (p->fast_step) {
                step_type& s = *p->step_;
                if (p->error)
                    s.set_except(std::exchange(p->error, nullptr));
                else
                    s.return_value(std::optional<T>());
                p->end_step();
            }
        }
        void await_resume() const noexcept {}
    };

    final_awaiter final_suspend() noexcept
    {
        this->state = gstate::finished;
        this->unregister();
        return {this};
    }

    void unhandled_exception() noexcept { this->error = std::current_exception(); }
    void return_void() noexcept {}

    // Resumes the consumer; the co_yield expression gives what asend() sent (an empty
    // optional after next()), or throws what athrow()/aclose() threw in.
    //
    // While closing, the first co_yield throws inside the body, which can unwind and clean
    // up; a second one suspends the body for good (aclose() throws, and the frame's
    // destruction runs the locals' destructors), so a body that swallows every exception
    // still ends.
    enum class yield_mode : unsigned char
    {
        normal,
        throw_inside,
        stop
    };

    yield_mode mode_of_yield() noexcept
    {
        if (!this->closing)
            return yield_mode::normal;
        if (!this->ignored_exit) {
            this->ignored_exit = true;
            return yield_mode::throw_inside;
        }
        return yield_mode::stop;
    }

    struct yield_awaiter
    {
        awaitable_frame* p;
        yield_mode mode;

        bool await_ready() const noexcept { return mode == yield_mode::throw_inside; }
        void await_suspend(coroutine_handle<void>) noexcept
        {
            p->core::state = gstate::suspended;
            p->pop_frame();
            // The value is in the step frame already (yield_value); closing never runs
            // as a fast step, so the mode is normal here.
            if (p->fast_step)
                p->end_step();
        }
        auto await_resume()
        {
            if (mode != yield_mode::normal)
                throw boost::tulip::invalid_state_error(
                    "async_generator ignored generator_exit: it yielded while being closed");
            if (p->inject)
                std::rethrow_exception(std::exchange(p->inject, nullptr));
            if constexpr (!std::is_void_v<Send>) {
                std::optional<Send> v;
                if (p->sent.value) {
                    v = std::move(p->sent.value);
                    p->sent.value.reset();
                }
                return v;
            }
        }
    };

    yield_awaiter yield_value(const T& v) { return yield(v); }
    yield_awaiter yield_value(T&& v) { return yield(std::move(v)); }
    template <class U>
        requires(!std::same_as<std::remove_cvref_t<U>, T> && std::convertible_to<U&&, T>)
    yield_awaiter yield_value(U&& v) { return yield(static_cast<U&&>(v)); }

    // next() without a coroutine frame of its own, while no other awaitable of next()
    // refers to the step frame; the caller makes an awaitable of resume_generator
    // otherwise.
    bool step_free() const noexcept { return !this->step_armed; }
    boost::asio::awaitable<std::optional<T>, Executor> arm_step()
    {
        if (!driver_)
            driver_ = boost::tulip::detail::drive_steps(this).handle;
        // A fresh step frame, unless the last one can be reused as it is: its result was
        // moved out, and what is left of it needs no destructor.
        if (std::is_trivially_destructible_v<T> && step_)
            step_->rearm(driver_);
        else
            step_.emplace(driver_);
        this->add_ref();
        this->step_armed = true;
        this->step_holds_ref = true;
        return boost::asio::awaitable<std::optional<T>, Executor>(
            static_cast<awaitable_frame<std::optional<T>, Executor>*>(&*step_));
    }

    // The driver, resumed by the consumer's thread with the step frame on top: what
    // resume_generator does before its step, then on to the body (its frame pushed on the
    // step frame, and the thread's resume context its own, for Asio's after_suspend), or
    // the result in the step frame and back to the thread.
    coroutine_handle<void> begin_step() noexcept
    {
        step_type& s = *step_;
        try {
            switch (this->state) {
            case gstate::running:
                boost::tulip::detail::throw_generator_running("next");
            case gstate::finished:
                s.return_value(std::optional<T>());
                return end_step();
            case gstate::created:
                this->first_iteration();
                break;
            case gstate::suspended:
                // Nothing to inject or send: every step consumes its own at the co_yield.
                break;
            }
        } catch (...) {
            s.set_except(std::current_exception());
            return end_step();
        }
        this->state = gstate::running;
        this->fast_step = true;
        this->push_frame(&s);
        this->resume_context_ = s.resume_context();
        return this->coro_;
    }

    // The step's result is in the step frame, which is on top: the consumer resumes next.
    // The step's reference is dropped now unless it is the last one (the handle is gone):
    // then the awaitable's destroy(), after it took the result, destroys the driver, which
    // drops it; the step frame must outlive that.
    coroutine_handle<void> end_step() noexcept
    {
        step_type& s = *step_;
        this->step_armed = false;
        this->fast_step = false;
        if (this->refs > 1) {
            --this->refs;
            this->step_holds_ref = false;
            s.disarm();
        }
        s.pop_frame();
        return std::noop_coroutine();
    }

    void driver_destroyed() noexcept
    {
        driver_ = nullptr;
        this->step_armed = false;
        if (std::exchange(this->step_holds_ref, false))
            this->release();
    }

    void destroy_frame() noexcept override { this->destroy(); }
    boost::asio::awaitable<void> close_for_loop() override
    {
        return boost::tulip::detail::close_for_loop(
            boost::tulip::detail::generator_ref<awaitable_frame>(this));
    }

    std::optional<T> value; // what the last co_yield of a resume_generator step gave
    [[no_unique_address]] boost::tulip::detail::send_slot<Send> sent;

private:
    template <class U>
    yield_awaiter yield(U&& v)
    {
        const yield_mode mode = mode_of_yield();
        if (mode == yield_mode::normal) {
            if (this->fast_step)
                step_->return_value(std::optional<T>(std::in_place, static_cast<U&&>(v)));
            else
                value.emplace(static_cast<U&&>(v));
        }
        return {this, mode};
    }

    std::optional<step_type> step_;
    coroutine_handle<typename driver_type::promise_type> driver_;
};

} // namespace boost::asio::detail

namespace boost::tulip::detail {
template <class T, class Send>
using generator_promise =
    boost::asio::detail::awaitable_frame<generator_tag<T, Send>, boost::asio::any_io_executor>;
} // namespace boost::tulip::detail

#endif
