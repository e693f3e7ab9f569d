//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_TULIP_DETAIL_TRANSPORT_REGISTRY_HPP
#define BOOST_TULIP_DETAIL_TRANSPORT_REGISTRY_HPP

#include <boost/tulip/detail/config.hpp>

namespace boost::tulip {
class event_loop;
} // namespace boost::tulip

namespace boost::tulip::detail {

class transport_registry;

/** A transport that keeps itself alive while open (its own reference, a protocol that
    holds it): listed in its io_context's registry from its start until it has ended, so
    that the io_context's shutdown can end it, as Asio's shutdown ends its own objects:
    the descriptor is closed, the references that would keep the transport and its
    protocol alive are dropped, and no protocol callback runs. */
class registered_transport
{
public:
    registered_transport() noexcept = default;
    registered_transport(const registered_transport&) = delete;
    registered_transport& operator=(const registered_transport&) = delete;

    /// Called once, from the io_context's shutdown, for a transport still listed (it is
    /// taken off the list first). Must not run protocol callbacks or post work.
    virtual void shutdown_transport() noexcept = 0;

protected:
    ~registered_transport() { unregister_transport(); }

    /// Lists the transport in `loop`'s io_context's registry (from its start).
    void register_transport(event_loop& loop);
    /// Takes it off (it has ended); idempotent.
    void unregister_transport() noexcept;

private:
    friend class transport_registry;
    transport_registry* registry_ = nullptr;
    registered_transport* prev_ = nullptr;
    registered_transport* next_ = nullptr;
};

} // namespace boost::tulip::detail

#endif
