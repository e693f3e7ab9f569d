//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_AWAITING_HPP
#define BOOST_TULIP_DETAIL_AWAITING_HPP

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace boost::tulip::detail {

class future_base;

// How the task tree shows the object of an await_desc.
enum class await_kind : unsigned char
{
    plain,    // `what` alone
    future,   // the object is a future_base: "awaiting task 'x'" or "awaiting a future"
    shield,   // the same, through shield()
    deadline, // the value is a deadline on the loop's clock: "<what> (1.5s left)"
    object,   // "<what> on <object_type>@<address>" (the object is never read)
    children, // the object lists futures (gather, wait): drawn beneath the task
    custom,   // `what`, then what `format` appends
};

// What an operation is, for the task tree: one static instance per kind of operation.
// An operation that suspends a task records it with set_awaiting(); the next step of
// the task clears it. Where the object may be gone before the task resumes (a primitive
// destroyed once it woke its waiters), the kind must not read it (`object`).
struct await_desc
{
    const char* what;
    await_kind kind = await_kind::plain;
    const char* object_type = nullptr; // await_kind::object
    // await_kind::custom: appends a description of `object` to `out` ("reading" then
    // " 127.0.0.1:8081"). Called only while the task is suspended in the operation.
    void (*format)(std::string& out, const void* object) = nullptr;
    // await_kind::children: appends the futures the task waits for (they stay alive while
    // it does).
    void (*children)(const void* object, std::vector<const future_base*>& out) = nullptr;
};

// What a suspended task awaits: two words, so that it costs a task no more than the two
// pointers it replaced. `desc` null: nothing Tulip knows of.
struct awaiting_record
{
    const await_desc* desc = nullptr;
    union
    {
        const void* object = nullptr;
        std::int64_t value; // await_kind::deadline: the deadline's count of clock ticks
    };
};

// Records on task `t` (which may be null: not a task) that it is suspended in `d` on
// `object`. One call per suspending operation.
template <class Task>
inline void set_awaiting(Task* t, const await_desc& d, const void* object = nullptr) noexcept
{
    if (t) {
        t->awaiting.desc = &d;
        t->awaiting.object = object;
    }
}

template <class Task>
inline void set_awaiting_value(Task* t, const await_desc& d, std::int64_t value) noexcept
{
    if (t) {
        t->awaiting.desc = &d;
        t->awaiting.value = value;
    }
}

// The operations of the core.
inline constexpr await_desc awaiting_future{"", await_kind::future};
inline constexpr await_desc awaiting_shield{"", await_kind::shield};
inline constexpr await_desc awaiting_sleep{"sleep", await_kind::deadline};
inline constexpr await_desc awaiting_lock_acquire{"lock.acquire", await_kind::object, "lock"};
inline constexpr await_desc awaiting_event_wait{"event.wait", await_kind::object, "event"};
inline constexpr await_desc awaiting_condition_wait{"condition.wait", await_kind::object,
                                                    "condition"};
inline constexpr await_desc awaiting_semaphore_acquire{"semaphore.acquire", await_kind::object,
                                                       "semaphore"};
inline constexpr await_desc awaiting_barrier_wait{"barrier.wait", await_kind::object, "barrier"};
inline constexpr await_desc awaiting_queue_get{"queue.get", await_kind::object, "queue"};
inline constexpr await_desc awaiting_queue_put{"queue.put", await_kind::object, "queue"};
inline constexpr await_desc awaiting_queue_join{"queue.join", await_kind::object, "queue"};

// The shared state of a child of gather or wait: a task or future handle, or the state.
template <class C>
const future_base* awaited_state(const C& c) noexcept
{
    if constexpr (std::is_pointer_v<C>)
        return c;
    else
        return c.get_state();
}

template <class Range>
void list_children(const void* object, std::vector<const future_base*>& out)
{
    for (const auto& c : *static_cast<const Range*>(object))
        out.push_back(awaited_state(c));
}

template <class Range>
struct children_descs
{
    static constexpr await_desc gather{"gather", await_kind::children, nullptr, nullptr,
                                       &list_children<Range>};
    static constexpr await_desc gather_settled{"gather_settled", await_kind::children, nullptr,
                                               nullptr, &list_children<Range>};
    static constexpr await_desc first_completed{"wait first_completed", await_kind::children,
                                                nullptr, nullptr, &list_children<Range>};
    static constexpr await_desc first_exception{"wait first_exception", await_kind::children,
                                                nullptr, nullptr, &list_children<Range>};
    static constexpr await_desc all_completed{"wait all_completed", await_kind::children, nullptr,
                                              nullptr, &list_children<Range>};
    static constexpr await_desc as_completed{"as_completed", await_kind::children, nullptr, nullptr,
                                             &list_children<Range>};
};

// The description of a wait on the futures of `Range` (a range that outlives the wait,
// such as the vector in the combinator's frame) in the multi-wait `mode`.
template <class Range, class Mode>
const await_desc& children_desc(Mode mode) noexcept
{
    using d = children_descs<Range>;
    switch (mode) {
    case Mode::gather:
        return d::gather;
    case Mode::gather_settled:
        return d::gather_settled;
    case Mode::first_completed:
        return d::first_completed;
    case Mode::first_exception:
        return d::first_exception;
    case Mode::all_completed:
        break;
    }
    return d::all_completed;
}

} // namespace boost::tulip::detail

#endif
