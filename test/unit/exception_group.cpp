//
// Copyright (c) 2026 The Boost.Tulip authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/tulip/exception_group.hpp>

#include <boost/test/unit_test.hpp>
#include <boost/tulip/error.hpp>

#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

namespace tulip = boost::tulip;

namespace {

std::exception_ptr runtime(const char* what)
{
    return std::make_exception_ptr(std::runtime_error(what));
}

std::exception_ptr logic(const char* what)
{
    return std::make_exception_ptr(std::logic_error(what));
}

std::exception_ptr group(std::string msg, std::vector<std::exception_ptr> excs)
{
    return std::make_exception_ptr(tulip::exception_group(std::move(msg), std::move(excs)));
}

std::string what_of(const std::exception_ptr& e)
{
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        return x.what();
    } catch (...) {
        return "<not a std::exception>";
    }
}

// The group held by `e` (a copy: copies share the contents).
tulip::exception_group as_group(const std::exception_ptr& e)
{
    try {
        std::rethrow_exception(e);
    } catch (const tulip::exception_group& g) {
        return g;
    } catch (...) {
    }
    BOOST_FAIL("not an exception_group");
    throw 0;
}

// "outer": [runtime a, logic b, "inner": [runtime c, logic d]]
tulip::exception_group sample()
{
    return tulip::exception_group(
        "outer", {runtime("a"), logic("b"), group("inner", {runtime("c"), logic("d")})});
}

} // namespace

BOOST_AUTO_TEST_SUITE(exception_group_suite)

BOOST_AUTO_TEST_CASE(exception_group_keeps_message_and_exceptions_in_order)
{
    auto a = runtime("a");
    auto b = logic("b");
    tulip::exception_group g("two errors", {a, b});
    BOOST_TEST(g.message() == "two errors");
    BOOST_REQUIRE(g.exceptions().size() == 2u);
    BOOST_TEST((g.exceptions()[0] == a));
    BOOST_TEST((g.exceptions()[1] == b));
}

BOOST_AUTO_TEST_CASE(exception_group_with_an_empty_list_throws_invalid_argument)
{
    BOOST_CHECK_THROW(tulip::exception_group("none", {}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(exception_group_with_a_null_exception_throws_invalid_argument)
{
    BOOST_CHECK_THROW(tulip::exception_group("null", {runtime("a"), nullptr}),
                      std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(exception_group_is_a_std_exception_caught_by_catch_std_exception)
{
    bool caught = false;
    try {
        throw tulip::exception_group("g", {runtime("a")});
    } catch (const std::exception& e) {
        caught = dynamic_cast<const tulip::exception_group*>(&e) != nullptr;
    }
    BOOST_TEST(caught);
}

BOOST_AUTO_TEST_CASE(what_lists_message_count_and_each_exception)
{
    tulip::exception_group g("two errors", {runtime("disk full"), logic("bad input")});
    std::string w = g.what();
    BOOST_TEST(w.find("two errors (2 sub-exceptions)") == 0u);
    BOOST_TEST(w.find("1: std::runtime_error: disk full") != std::string::npos);
    BOOST_TEST(w.find("2: std::logic_error: bad input") != std::string::npos);
    BOOST_TEST(w.find("disk full") < w.find("bad input"));
}

BOOST_AUTO_TEST_CASE(what_indents_nested_groups_under_their_header)
{
    std::string w = sample().what();
    BOOST_TEST_MESSAGE(w);
    BOOST_TEST(w.find("outer (3 sub-exceptions)") == 0u);
    BOOST_TEST(w.find("\n  3: exception_group: inner (2 sub-exceptions)") != std::string::npos);
    BOOST_TEST(w.find("\n    1: std::runtime_error: c") != std::string::npos);
    BOOST_TEST(w.find("\n    2: std::logic_error: d") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(what_says_one_sub_exception_in_the_singular)
{
    tulip::exception_group g("one", {runtime("a")});
    BOOST_TEST(std::string(g.what()).find("one (1 sub-exception)") == 0u);
}

BOOST_AUTO_TEST_CASE(what_marks_exceptions_that_are_not_std_exceptions)
{
    tulip::exception_group g("odd", {std::make_exception_ptr(42)});
    BOOST_TEST(std::string(g.what()).find("1: unknown exception") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(contains_finds_a_leaf_of_the_type_or_a_derived_type)
{
    tulip::exception_group g("g", {std::make_exception_ptr(std::out_of_range("x"))});
    BOOST_TEST(g.contains<std::out_of_range>());
    BOOST_TEST(g.contains<std::logic_error>());
    BOOST_TEST(!g.contains<std::runtime_error>());
}

BOOST_AUTO_TEST_CASE(contains_looks_through_nested_groups)
{
    auto deep = std::make_exception_ptr(tulip::invalid_state_error("x"));
    tulip::exception_group g("outer", {runtime("a"), group("mid", {group("deep", {deep})})});
    BOOST_TEST(g.contains<tulip::invalid_state_error>());
    BOOST_TEST(!g.contains<std::logic_error>());
}

BOOST_AUTO_TEST_CASE(contains_exception_group_is_true_only_with_a_nested_group)
{
    BOOST_TEST(sample().contains<tulip::exception_group>());
    BOOST_TEST(!tulip::exception_group("flat", {runtime("a")}).contains<tulip::exception_group>());
}

BOOST_AUTO_TEST_CASE(contains_works_for_types_that_are_not_std_exceptions)
{
    tulip::exception_group g("g", {std::make_exception_ptr(42)});
    BOOST_TEST(g.contains<int>());
    BOOST_TEST(!g.contains<long>());
}

BOOST_AUTO_TEST_CASE(split_by_type_separates_matches_and_rest_preserving_nesting)
{
    auto g = sample();
    auto [match, rest] = g.split<std::runtime_error>();
    BOOST_REQUIRE(match.has_value());
    BOOST_REQUIRE(rest.has_value());

    BOOST_TEST(match->message() == "outer");
    BOOST_REQUIRE(match->exceptions().size() == 2u);
    BOOST_TEST((match->exceptions()[0] == g.exceptions()[0])); // the same exception object
    auto match_inner = as_group(match->exceptions()[1]);
    BOOST_TEST(match_inner.message() == "inner");
    BOOST_REQUIRE(match_inner.exceptions().size() == 1u);
    BOOST_TEST(what_of(match_inner.exceptions()[0]) == "c");

    BOOST_TEST(rest->message() == "outer");
    BOOST_REQUIRE(rest->exceptions().size() == 2u);
    BOOST_TEST(what_of(rest->exceptions()[0]) == "b");
    auto rest_inner = as_group(rest->exceptions()[1]);
    BOOST_TEST(rest_inner.message() == "inner");
    BOOST_REQUIRE(rest_inner.exceptions().size() == 1u);
    BOOST_TEST(what_of(rest_inner.exceptions()[0]) == "d");
}

BOOST_AUTO_TEST_CASE(split_with_no_match_gives_an_empty_match_and_the_whole_rest)
{
    auto g = sample();
    auto [match, rest] = g.split<std::bad_alloc>();
    BOOST_TEST(!match.has_value());
    BOOST_REQUIRE(rest.has_value());
    BOOST_TEST(rest->exceptions() == g.exceptions());
}

BOOST_AUTO_TEST_CASE(split_with_everything_matching_gives_an_empty_rest)
{
    tulip::exception_group g("g", {runtime("a"), group("inner", {runtime("b")})});
    auto [match, rest] = g.split<std::runtime_error>();
    BOOST_REQUIRE(match.has_value());
    BOOST_TEST(!rest.has_value());
    BOOST_TEST(match->exceptions() == g.exceptions()); // a fully matching nested group stays intact
}

BOOST_AUTO_TEST_CASE(split_by_a_base_of_the_group_matches_the_whole_group)
{
    auto g = sample();
    auto [match, rest] = g.split<std::exception>();
    BOOST_REQUIRE(match.has_value());
    BOOST_TEST(!rest.has_value());
    BOOST_TEST(match->exceptions() == g.exceptions());
}

BOOST_AUTO_TEST_CASE(split_by_exception_group_moves_nested_groups_whole)
{
    auto g = sample();
    auto [match, rest] = g.split<tulip::exception_group>();
    // The group itself is an exception_group: PEP 654 returns it whole.
    BOOST_REQUIRE(match.has_value());
    BOOST_TEST(!rest.has_value());
}

BOOST_AUTO_TEST_CASE(split_by_predicate_on_the_exception)
{
    auto g = sample();
    auto [match, rest] =
        g.split([](const std::exception& e) { return std::string(e.what()) == "d"; });
    BOOST_REQUIRE(match.has_value());
    BOOST_REQUIRE(rest.has_value());
    BOOST_REQUIRE(match->exceptions().size() == 1u);
    auto inner = as_group(match->exceptions()[0]);
    BOOST_TEST(inner.message() == "inner");
    BOOST_REQUIRE(inner.exceptions().size() == 1u);
    BOOST_TEST(what_of(inner.exceptions()[0]) == "d");
    BOOST_TEST(rest->exceptions().size() == 3u);
}

BOOST_AUTO_TEST_CASE(split_predicate_sees_the_group_itself_first)
{
    auto g = sample();
    int calls = 0;
    auto [match, rest] = g.split([&](const std::exception& e) {
        ++calls;
        return dynamic_cast<const tulip::exception_group*>(&e) != nullptr;
    });
    BOOST_TEST(calls == 1);
    BOOST_REQUIRE(match.has_value());
    BOOST_TEST(!rest.has_value());
}

BOOST_AUTO_TEST_CASE(subgroup_by_predicate_on_exception_ptr_keeps_nesting)
{
    auto g = sample();
    auto c = as_group(g.exceptions()[2]).exceptions()[0];
    auto sub = g.subgroup([&](const std::exception_ptr& e) { return e == c; });
    BOOST_REQUIRE(sub.has_value());
    BOOST_TEST(sub->message() == "outer");
    BOOST_REQUIRE(sub->exceptions().size() == 1u);
    auto inner = as_group(sub->exceptions()[0]);
    BOOST_TEST(inner.message() == "inner");
    BOOST_REQUIRE(inner.exceptions().size() == 1u);
    BOOST_TEST((inner.exceptions()[0] == c));
}

BOOST_AUTO_TEST_CASE(subgroup_with_no_match_is_empty)
{
    auto sub = sample().subgroup([](const std::exception&) { return false; });
    BOOST_TEST(!sub.has_value());
}

BOOST_AUTO_TEST_CASE(subgroup_by_type_keeps_only_that_type)
{
    auto sub = sample().subgroup<std::logic_error>();
    BOOST_REQUIRE(sub.has_value());
    BOOST_TEST(!sub->contains<std::runtime_error>());
    BOOST_TEST(sub->contains<std::logic_error>());
    BOOST_TEST(sub->exceptions().size() == 2u);
}

BOOST_AUTO_TEST_CASE(predicate_on_exception_never_matches_non_std_exceptions)
{
    tulip::exception_group g("g", {std::make_exception_ptr(42), runtime("a")});
    auto [match, rest] = g.split([](const std::exception&) { return true; });
    // true on the group itself: whole group
    BOOST_TEST(match.has_value());
    int calls = 0;
    auto sub = g.subgroup([&](const std::exception& e) {
        ++calls;
        return dynamic_cast<const tulip::exception_group*>(&e) == nullptr;
    });
    BOOST_REQUIRE(sub.has_value());
    BOOST_TEST(calls == 2); // the group and the runtime_error; never the int
    BOOST_REQUIRE(sub->exceptions().size() == 1u);
    BOOST_TEST(what_of(sub->exceptions()[0]) == "a");
}

BOOST_AUTO_TEST_CASE(derive_keeps_the_message_with_new_exceptions)
{
    auto d = sample().derive({runtime("z")});
    BOOST_TEST(d.message() == "outer");
    BOOST_REQUIRE(d.exceptions().size() == 1u);
    BOOST_TEST(what_of(d.exceptions()[0]) == "z");
}

BOOST_AUTO_TEST_CASE(copies_share_contents_and_what)
{
    auto g = sample();
    tulip::exception_group copy = g;
    BOOST_TEST(copy.exceptions() == g.exceptions());
    BOOST_TEST(std::string(copy.what()) == g.what());
    static_assert(std::is_nothrow_copy_constructible_v<tulip::exception_group>);
}

BOOST_AUTO_TEST_SUITE_END()
