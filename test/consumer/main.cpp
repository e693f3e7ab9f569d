// Built against an installed Boost.Tulip by test/consumer/run.cmake.
#include <boost/tulip.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdio>

namespace {

boost::asio::awaitable<int> answer()
{
    co_return 42;
}

} // namespace

int main()
{
    int const value = boost::tulip::run(answer());
    if (value != 42) {
        std::fprintf(stderr, "consumer: run() returned %d, expected 42\n", value);
        return 1;
    }
    std::printf("consumer: ok\n");
    return 0;
}
