//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/asio_stream.hpp>

#include <boost/tulip/transport.hpp>

namespace boost::tulip {

namespace {

// The connection's loop: its transport's once the connection is made, else the loop
// running here (the pair is made on its loop's thread).
event_loop& loop_of(const stream_writer& w)
{
    if (transport* t = w.transport())
        return t->get_loop();
    return get_running_loop();
}

} // namespace

asio_stream::asio_stream(stream_reader reader, stream_writer writer)
    : reader_(std::move(reader))
    , writer_(std::move(writer))
    , loop_(&loop_of(writer_))
    , ex_(loop_->get_executor())
{}

void asio_stream::close()
{
    writer_.close();
}

void beast_close_socket(asio_stream& stream)
{
    if (transport* t = stream.writer().transport())
        t->abort();
    else
        stream.close();
}

} // namespace boost::tulip
