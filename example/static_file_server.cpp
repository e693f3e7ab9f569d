//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// A static file server: Beast parses HTTP/1.1 requests over Tulip streams (`asio_stream`),
// Beast serializes each response header into the stream writer, and each file body goes
// with `stream_writer::sendfile` (zero-copy sendfile(2) on a TCP connection; the read/write
// fallback on a transport that is not a plain socket: here TLS). GET and HEAD,
// keep-alive, 404 for what is not a regular file under the root, 405 for other methods.
// Given a certificate and its key it serves HTTPS: the same handler, each body through
// the read/write fallback. Ctrl-C (SIGINT) stops it.
//
//   static_file_server [port] [root] [cert key]
//        port: 0 or none for an ephemeral port (printed); root: the directory served,
//        default "."; cert, key: PEM files, for HTTPS.
//   curl http://127.0.0.1:PORT/index.html
//   curl --cacert CERT https://localhost:PORT/index.html

#include <boost/tulip/asio_stream.hpp>
#include <boost/tulip/error.hpp>
#include <boost/tulip/run.hpp>
#include <boost/tulip/sendfile.hpp>
#include <boost/tulip/server.hpp>
#include <boost/tulip/streams.hpp>
#include <boost/tulip/tls.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffer_traits.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/container/small_vector.hpp>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tulip = boost::tulip;
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using namespace std::chrono_literals;

namespace {

int root_fd = -1; // the served directory (set once in main)

// A request's body is read (and dropped): a POST gets its 405 on a connection that stays
// usable.
using request = http::request<http::string_body>;

// An open file, closed at the end of the scope.
struct file_handle
{
    int fd = -1;
    explicit file_handle(int f) noexcept
        : fd(f)
    {}
    ~file_handle()
    {
        if (fd >= 0)
            ::close(fd);
    }
    file_handle(const file_handle&) = delete;
    file_handle& operator=(const file_handle&) = delete;
};

// Holds a TCP connection's segments back (TCP_CORK, nginx's tcp_nopush) while a response
// is written: the header and a small body leave in one segment instead of two, which
// halves the packets a client reads. Releasing the cork sends what is held at once.
class tcp_cork
{
public:
    explicit tcp_cork(const tulip::stream_writer& writer)
        : fd_(writer.get_extra_info<int>("socket").value_or(-1))
    {
        set(1);
    }
    ~tcp_cork() { set(0); }
    tcp_cork(const tcp_cork&) = delete;
    tcp_cork& operator=(const tcp_cork&) = delete;

private:
    void set(int on) const noexcept
    {
        if (fd_ >= 0) // fails harmlessly (ENOPROTOOPT) on a socket that is not TCP
            ::setsockopt(fd_, IPPROTO_TCP, TCP_CORK, &on, sizeof on);
    }
    int fd_;
};

// The path under the root a request target names, or empty if it names none we serve:
// the query is dropped, "/" means index.html, and only plain names are allowed (no "..",
// no empty or hidden segments, no percent escapes).
std::string relative_path(std::string_view target)
{
    if (auto q = target.find('?'); q != target.npos)
        target = target.substr(0, q);
    if (target.empty() || target.front() != '/')
        return {};
    std::string rel(target.substr(1));
    if (rel.empty() || rel.back() == '/')
        rel += "index.html";
    std::string_view rest = rel;
    while (!rest.empty()) {
        auto slash = rest.find('/');
        std::string_view seg = rest.substr(0, slash);
        if (seg.empty() || seg.front() == '.')
            return {};
        for (char c : seg)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_'))
                return {};
        rest = slash == rest.npos ? std::string_view() : rest.substr(slash + 1);
    }
    return rel;
}

std::string_view content_type(std::string_view path)
{
    auto ends = [&](std::string_view ext) { return path.ends_with(ext); };
    if (ends(".html") || ends(".htm"))
        return "text/html";
    if (ends(".txt"))
        return "text/plain";
    if (ends(".css"))
        return "text/css";
    if (ends(".js"))
        return "text/javascript";
    if (ends(".json"))
        return "application/json";
    if (ends(".png"))
        return "image/png";
    return "application/octet-stream";
}

// A response without a file: a short text body.
http::response<http::string_body> text_response(const request& req, http::status status,
                                                std::string body)
{
    http::response<http::string_body> res(status, req.version());
    res.set(http::field::server, "Boost.Tulip static_file_server");
    res.set(http::field::content_type, "text/plain");
    res.keep_alive(req.keep_alive());
    if (status == http::status::method_not_allowed)
        res.set(http::field::allow, "GET, HEAD");
    res.body() = req.method() == http::verb::head ? std::string() : std::move(body);
    res.prepare_payload();
    if (req.method() == http::verb::head)
        res.content_length(0);
    return res;
}

// Writes a response header the way asyncio's writer.write writes: Beast serializes it, the
// writer takes the bytes at once (what the socket does not accept stays buffered) and
// nothing waits, so no turn of the loop is spent on it. The caller drains (the sendfile
// of the body does that first). writelines sends up to 16 pieces at a time: this
// server's headers go in one send.
void write_header(tulip::stream_writer& writer, const http::response<http::empty_body>& res)
{
    http::response_serializer<http::empty_body> sr(res);
    sr.split(true); // stop after the header
    boost::system::error_code ec;
    while (!ec && !sr.is_header_done()) {
        sr.next(ec, [&](boost::system::error_code&, const auto& buffers) {
            // Written before consume(): consuming the header's last byte frees the
            // serializer's copy of the status line that the first buffer points into.
            boost::container::small_vector<std::string_view, 16> lines;
            for (auto b : boost::beast::buffers_range_ref(buffers))
                lines.emplace_back(static_cast<const char*>(b.data()), b.size());
            writer.writelines(lines);
            sr.consume(boost::beast::buffer_bytes(buffers));
        });
    }
    if (ec)
        throw boost::system::system_error(ec, "static_file_server: serializing a header");
}

// Answers one request; false when the connection is to close afterwards.
tulip::awaitable<bool> answer(tulip::asio_stream& stream, const request& req)
{
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
        auto res = text_response(req, http::status::method_not_allowed, "only GET and HEAD\n");
        co_await http::async_write(stream, res, asio::use_awaitable);
        co_return res.keep_alive();
    }
    std::string rel = relative_path(req.target());
    file_handle file(rel.empty() ? -1 : ::openat(root_fd, rel.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st;
    if (file.fd < 0 || ::fstat(file.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        auto res = text_response(req, http::status::not_found,
                                 "not found: " + std::string(req.target()) + "\n");
        co_await http::async_write(stream, res, asio::use_awaitable);
        co_return res.keep_alive();
    }
    const auto size = static_cast<std::size_t>(st.st_size);
    http::response<http::empty_body> res(http::status::ok, req.version());
    res.set(http::field::server, "Boost.Tulip static_file_server");
    res.set(http::field::content_type, content_type(rel));
    res.keep_alive(req.keep_alive());
    res.content_length(size);
    // The header into the writer at once, the body straight from the file: the writer's
    // sendfile sends what the header left buffered first, so they never mix.
    tcp_cork cork(stream.writer());
    write_header(stream.writer(), res);
    if (req.method() == http::verb::get && size > 0) {
        auto [ec, sent] = co_await stream.writer().sendfile(file.fd, 0, size, true,
                                                            asio::as_tuple(asio::use_awaitable));
        if (ec || sent != size)
            co_return false; // the peer went, or the file shrank: the length promised
                             // cannot be kept
    } else
        co_await stream.writer().drain(); // HEAD, an empty file: a client that never
                                          // reads must not grow the buffer without end
    co_return res.keep_alive();
}

// One connection: requests in, responses out, until the client closes or asks to. The
// handler knows nothing of the transport: over TLS (server_options::ssl) the same code
// runs, and sendfile takes its read/write fallback (fallback = true above).
tulip::awaitable<void> handle_client(tulip::stream_reader reader, tulip::stream_writer writer)
{
    tulip::asio_stream stream(reader, writer);
    boost::beast::flat_buffer buffer;
    try {
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(64 * 1024);
            auto [ec, n] = co_await http::async_read(stream, buffer, parser,
                                                     asio::as_tuple(asio::use_awaitable));
            if (ec)
                break; // the client is done (end_of_stream), or sent what we do not take
            bool keep_alive = co_await answer(stream, parser.get());
            if (!keep_alive)
                break;
        }
        writer.close(); // sends what is buffered, then the end of stream
        co_await writer.wait_closed();
    } catch (const boost::system::system_error&) {
        // The client reset the connection mid-response (wait_closed reports it too, as
        // asyncio's does): nothing to answer; the connection closes as the handler ends.
    }
}

// Serves until cancelled; HTTPS when `tls` is set (a context made in main, alive for the
// whole run).
tulip::awaitable<void> serve(unsigned short port, ssl::context* tls)
{
    tulip::server_options opts;
    opts.backlog = 1024;
    if (tls) {
        opts.ssl = tls;
        opts.ssl_handshake_timeout = 10s; // a client that never finishes its handshake
        opts.ssl_shutdown_timeout = 5s;   // a client that never answers close_notify
    }
    auto srv = co_await tulip::start_server(handle_client, "127.0.0.1", port, opts);
    std::printf("serving %s://127.0.0.1:%u/\n", tls ? "https" : "http",
                unsigned(srv.sockets().front().port()));
    std::fflush(stdout);
    co_await srv.serve_forever();
}

} // namespace

int main(int argc, char** argv)
{
    if (argc == 4 || argc > 5) {
        std::fprintf(stderr, "usage: static_file_server [port] [root] [cert key]\n");
        return 2;
    }
    const auto port = static_cast<unsigned short>(argc > 1 ? std::atoi(argv[1]) : 0);
    const char* root = argc > 2 ? argv[2] : ".";
    root_fd = ::open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0) {
        std::perror(root);
        return 1;
    }
    try {
        std::optional<ssl::context> tls;
        if (argc == 5) {
            tls.emplace(ssl::context::tls_server);
            tls->use_certificate_chain_file(argv[3]);
            tls->use_private_key_file(argv[4], ssl::context::pem);
        }
        tulip::run(serve(port, tls ? &*tls : nullptr));
    } catch (const std::exception& e) {
        if (!tulip::is_cancellation(e)) {
            std::fprintf(stderr, "static_file_server: %s\n", e.what());
            return 1;
        }
        std::printf("stopped\n"); // Ctrl-C cancelled serve_forever
    }
    return 0;
}
