// tests/own_inputs.hpp in double.
#include "own_inputs.hpp"

TEST_CASE("an element's result depends on its own input only, and forward_backward gives the passes' own bits: double") {
    own_inputs::check_every_example<double>();
}
