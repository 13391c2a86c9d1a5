# Writes OUTPUT, a C++ file defining tinymlops::server::OpenApiDocument() that returns the text
# of INPUT (docs/api/openapi.yaml). cmake -DINPUT=... -DOUTPUT=... -P embed_openapi.cmake
file(READ ${INPUT} text)
string(FIND "${text}" ")openapi\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )openapi\"")
endif()
file(WRITE ${OUTPUT} "// Generated from docs/api/openapi.yaml by embed_openapi.cmake.\n"
     "namespace tinymlops::server {\n"
     "const char* OpenApiDocument() {\n  return R\"openapi(${text})openapi\";\n}\n"
     "}  // namespace tinymlops::server\n")
