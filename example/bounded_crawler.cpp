//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// A crawler over a fake in-memory "web": each page has links and a simulated latency.
// Every fetched page spawns a task per new link, in one task group whose
// max_concurrency bounds the fetches in flight (the "amount of spawned tasks is not
// controlled" problem of fire-and-forget). The group returns when the whole site has been
// crawled; a fetch that fails would cancel the crawl and surface in an exception_group.

#include <boost/tulip.hpp>
#include <boost/tulip/task_group.hpp>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace tulip = boost::tulip;
using namespace std::chrono_literals;

namespace {

struct page
{
    std::chrono::milliseconds latency;
    std::vector<std::string> links;
};

// The fake web: a small site with cycles, and links to pages that do not exist.
const std::map<std::string, page> web = {
    {"/", {40ms, {"/docs", "/blog", "/about"}}},
    {"/docs", {60ms, {"/docs/intro", "/docs/api", "/"}}},
    {"/docs/intro", {30ms, {"/docs/api", "/docs/tutorial"}}},
    {"/docs/api", {80ms, {"/docs/api/task", "/docs/api/group", "/docs"}}},
    {"/docs/api/task", {20ms, {"/docs/api"}}},
    {"/docs/api/group", {20ms, {"/docs/api", "/missing"}}},
    {"/docs/tutorial", {50ms, {"/docs/intro", "/blog/2026"}}},
    {"/blog", {30ms, {"/blog/2025", "/blog/2026"}}},
    {"/blog/2025", {70ms, {"/blog", "/about"}}},
    {"/blog/2026", {70ms, {"/blog", "/docs/tutorial"}}},
    {"/about", {10ms, {"/", "/contact"}}},
    {"/contact", {10ms, {}}},
};

struct crawl_state
{
    std::set<std::string> seen;
    std::vector<std::string> fetched;
    std::vector<std::string> not_found;
    int in_flight = 0;
    int peak_in_flight = 0;
};

// "Downloads" a page: waits its latency, then returns its links (empty if 404).
tulip::awaitable<std::vector<std::string>> fetch(const std::string& url, crawl_state& st)
{
    ++st.in_flight;
    st.peak_in_flight = std::max(st.peak_in_flight, st.in_flight);
    const page* p = nullptr;
    if (auto it = web.find(url); it != web.end())
        p = &it->second;
    const std::chrono::milliseconds latency = p ? p->latency : 5ms;
    co_await tulip::sleep(latency);
    --st.in_flight;
    std::vector<std::string> links;
    if (p) {
        st.fetched.push_back(url);
        links = p->links;
    } else {
        st.not_found.push_back(url);
    }
    co_return links;
}

tulip::awaitable<void> crawl(tulip::task_group tg, std::string url, crawl_state& st)
{
    auto links = co_await fetch(url, st);
    for (auto& link : links)
        if (st.seen.insert(link).second)
            tg.create_task(crawl(tg, link, st), {.name = link});
}

tulip::awaitable<int> main_task()
{
    crawl_state st;
    const auto start = tulip::clock::now();
    constexpr std::size_t limit = 3;
    co_await tulip::with_task_group(
        [&](tulip::task_group& tg) -> tulip::awaitable<void> {
            st.seen.insert("/");
            tg.create_task(crawl(tg, "/", st), {.name = "/"});
            co_return;
        },
        tulip::task_group_options{.max_concurrency = limit});
    const auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(tulip::clock::now() - start);

    std::cout << "crawled " << st.fetched.size() << " pages in " << took.count() << " ms, at most "
              << st.peak_in_flight << " fetches at once (limit " << limit << ")\n";
    for (auto& u : st.fetched)
        std::cout << "  200 " << u << '\n';
    for (auto& u : st.not_found)
        std::cout << "  404 " << u << '\n';
    const bool ok = st.fetched.size() == web.size() && st.not_found.size() == 1 &&
                    st.peak_in_flight <= static_cast<int>(limit);
    co_return ok ? 0 : 1;
}

} // namespace

int main()
{
    return tulip::run(main_task());
}
