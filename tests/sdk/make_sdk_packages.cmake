# Fixture of the C API test (c_api_test.c): real packages made with the real CLI.
# cmake -DCLI=tinymlops -DSOURCE=repo -DOUT=folder -P make_sdk_packages.cmake writes into OUT:
#   vendor/vendor.{key,pub}, stranger/vendor.pub (an untrusted vendor), device/, other-device/,
#   digits.tmm (examples/digits/digits.onnx imported), clear.tpkg (signed, release 2),
#   encrypted.tpkg (signed, encrypted to device/, release 2), old.tpkg (signed, release 1).
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
function(cli)
  execute_process(COMMAND ${CLI} ${ARGN} RESULT_VARIABLE result OUTPUT_QUIET ERROR_VARIABLE error)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "tinymlops ${ARGN}: ${error}")
  endif()
endfunction()
cli(keys new vendor --dir ${OUT}/vendor)
cli(keys new vendor --dir ${OUT}/stranger)
cli(device keygen --dir ${OUT}/device)
cli(device keygen --dir ${OUT}/other-device)
cli(model import ${SOURCE}/examples/digits/digits.onnx -o ${OUT}/digits.tmm)
set(identity --model-id digits --version 1.0.0 --key ${OUT}/vendor/vendor.key)
cli(package build ${OUT}/digits.tmm -o ${OUT}/clear.tpkg --release 2 ${identity})
cli(package build ${OUT}/digits.tmm -o ${OUT}/old.tpkg --release 1 ${identity})
cli(package encrypt ${OUT}/clear.tpkg --to ${OUT}/device/device.pub
    --key ${OUT}/vendor/vendor.key -o ${OUT}/encrypted.tpkg)
