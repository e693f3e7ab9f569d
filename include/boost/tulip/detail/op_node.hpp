//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_OP_NODE_HPP
#define BOOST_TULIP_DETAIL_OP_NODE_HPP

#include <boost/system/error_code.hpp>

#include <cstddef>

// The waiter node of the suspended-operation kernel (suspended_op.hpp), apart so that the
// states that hold waiters (future_base, the primitives) need nothing else.

namespace boost::tulip::detail {

// Where a completion is decided, which fixes how its handler is run (the delivery rule,
// deliver() in suspended_op.hpp and doc/tutorial/loop.adoc "When a handler runs").
enum class delivery : unsigned char
{
    posted,     // by another party (set_result, release, put, a cancellation): posted
    dispatched, // by the operation's own loop event (a timer's expiry): dispatched
    immediate,  // inside the initiating function: an Asio coroutine resumes inline
                // (bounded), any other handler is posted
};

// A suspended operation as what it waits on sees it: a link in an intrusive list and
// two type-erased entry points. The operation behind it holds the handler.
class op_node
{
public:
    op_node* prev = nullptr;
    op_node* next = nullptr;

    // Decided (`ec` clear: it got what it waited for; set: failed or aborted): schedules
    // the handler as `d` says and frees the operation (the node is gone on return).
    virtual void complete(boost::system::error_code ec, delivery d) = 0;
    // Frees the operation without invoking its handler (its loop or io_context is going
    // away).
    virtual void destroy() noexcept = 0;

    // The node's default share in the operation's lifetime: completing or destroying the
    // operation frees it. A node whose operation is also held elsewhere (a sleep, held
    // by the timer heap) counts references instead.
    bool release_op() noexcept { return true; }

protected:
    op_node() = default;
    op_node(const op_node&) = delete;
    op_node& operator=(const op_node&) = delete;
    virtual ~op_node() = default;
};

// What both lists of nodes do with all of them, through the list's own pop_front.
template <class List>
class drain_ops
{
public:
    // Completes every node with `ec`, one at a time from the front: a completion may
    // take a later node out (a wait on the same future twice).
    void complete_all(boost::system::error_code ec, delivery d)
    {
        while (op_node* w = static_cast<List&>(*this).pop_front())
            w->complete(ec, d);
    }

    void destroy_all() noexcept
    {
        while (op_node* w = static_cast<List&>(*this).pop_front())
            w->destroy();
    }
};

// An intrusive FIFO of nodes: O(1) push, pop and removal, no allocation.
class op_list : public drain_ops<op_list>
{
public:
    bool empty() const noexcept { return head_ == nullptr; }
    op_node* front() const noexcept { return head_; }

    void push_back(op_node* w) noexcept
    {
        w->next = nullptr;
        w->prev = tail_;
        if (tail_)
            tail_->next = w;
        else
            head_ = w;
        tail_ = w;
    }

    // `w` must be in this list.
    void remove(op_node* w) noexcept
    {
        if (w->prev)
            w->prev->next = w->next;
        else
            head_ = w->next;
        if (w->next)
            w->next->prev = w->prev;
        else
            tail_ = w->prev;
        w->prev = w->next = nullptr;
    }

    op_node* pop_front() noexcept
    {
        op_node* w = head_;
        if (w)
            remove(w);
        return w;
    }

private:
    op_node* head_ = nullptr;
    op_node* tail_ = nullptr;
};

// Every future and task holds one: the empty base costs nothing.
static_assert(sizeof(op_list) == 2 * sizeof(op_node*));

// An op_list that knows its length (the primitives report it).
class counted_op_list : public drain_ops<counted_op_list>
{
public:
    bool empty() const noexcept { return list_.empty(); }
    std::size_t size() const noexcept { return size_; }
    op_node* front() const noexcept { return list_.front(); }

    void push_back(op_node* w) noexcept
    {
        list_.push_back(w);
        ++size_;
    }

    void remove(op_node* w) noexcept
    {
        list_.remove(w);
        --size_;
    }

    op_node* pop_front() noexcept
    {
        op_node* w = list_.pop_front();
        if (w)
            --size_;
        return w;
    }

private:
    op_list list_;
    std::size_t size_ = 0;
};

} // namespace boost::tulip::detail

#endif
