//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/detail/transport_registry.hpp>

#include <boost/tulip/event_loop.hpp>

#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>

namespace boost::tulip::detail {

// The open transports of one io_context, as an Asio service: services are shut down
// newest first, and this one is made by the first transport, after the socket and
// descriptor services and the reactor it uses (and after the event loop). So its shutdown
// runs while those still work: closing a descriptor deregisters it from the reactor, whose
// pending operations are then destroyed unrun with the rest of the io_context's work.
class transport_registry final : public boost::asio::execution_context::service
{
public:
    using key_type = transport_registry;
    static boost::asio::execution_context::id id;

    explicit transport_registry(boost::asio::execution_context& ctx)
        : boost::asio::execution_context::service(ctx)
    {}

    void add(registered_transport& t) noexcept
    {
        t.registry_ = this;
        t.prev_ = nullptr;
        t.next_ = head_;
        if (head_)
            head_->prev_ = &t;
        head_ = &t;
    }

    void remove(registered_transport& t) noexcept
    {
        if (t.prev_)
            t.prev_->next_ = t.next_;
        else
            head_ = t.next_;
        if (t.next_)
            t.next_->prev_ = t.prev_;
        t.registry_ = nullptr;
        t.prev_ = t.next_ = nullptr;
    }

private:
    void shutdown() override
    {
        // Each is taken off before it is ended: ending one may free it, or free others
        // (a protocol that held them), which take themselves off.
        while (registered_transport* t = head_) {
            remove(*t);
            t->shutdown_transport();
        }
    }

    registered_transport* head_ = nullptr;
};

boost::asio::execution_context::id transport_registry::id;

void registered_transport::register_transport(event_loop& loop)
{
    if (registry_)
        return;
    boost::asio::use_service<transport_registry>(loop.get_io_context()).add(*this);
}

void registered_transport::unregister_transport() noexcept
{
    if (registry_)
        registry_->remove(*this);
}

} // namespace boost::tulip::detail
