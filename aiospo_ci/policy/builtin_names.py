"""The builtin functions each in-process engine knows, measured on the pinned releases
(regorus 0.13.0 answers `opa.runtime().builtins`; regopy 1.5.2 was asked for each name OPA
v1.20 documents: a known builtin called with the wrong arity is an error, an unknown name is
silently undefined). tests/policy/test_divergence.py checks both lists against the installed
engines. The load-time checks use them to refuse a call that an engine would answer with an
error (regorus) or with silence (regopy) when OPA's compiler would have refused it or run it.
"""

REGORUS = frozenset({
    "abs", "array.concat", "array.reverse", "array.slice", "base64.decode", "base64.encode",
    "base64.is_valid", "base64url.decode", "base64url.encode", "base64url.encode_no_pad", "bits.and",
    "bits.lsh", "bits.negate", "bits.or", "bits.rsh", "bits.xor", "ceil", "concat", "contains", "count",
    "endswith", "floor", "format_int", "glob.match", "glob.quote_meta", "graph.reachable",
    "graph.reachable_paths", "hex.decode", "hex.encode", "http.send", "indexof", "indexof_n", "intersection",
    "is_array", "is_boolean", "is_null", "is_number", "is_object", "is_set", "is_string", "json.filter",
    "json.is_valid", "json.marshal", "json.marshal_with_options", "json.match_schema", "json.patch",
    "json.remove", "json.unmarshal", "json.verify_schema", "lower", "max", "min", "net.cidr_contains",
    "net.cidr_expand", "net.cidr_is_valid", "numbers.range", "numbers.range_step", "object.filter",
    "object.get", "object.keys", "object.remove", "object.subset", "object.union", "object.union_n",
    "opa.runtime", "product", "rand.intn", "regex.find_all_string_submatch_n", "regex.find_n",
    "regex.is_valid", "regex.match", "regex.replace", "regex.split", "regex.template_match", "replace",
    "round", "semver.compare", "semver.is_valid", "sort", "split", "sprintf", "startswith",
    "strings.any_prefix_match", "strings.any_suffix_match", "strings.count", "strings.replace_n",
    "strings.reverse", "substring", "sum", "time.add_date", "time.clock", "time.date", "time.diff",
    "time.format", "time.now_ns", "time.parse_duration_ns", "time.parse_ns", "time.parse_rfc3339_ns",
    "time.weekday", "to_number", "trace", "trim", "trim_left", "trim_prefix", "trim_right", "trim_space",
    "trim_suffix", "type_name", "union", "units.parse", "units.parse_bytes", "upper", "urlquery.decode",
    "urlquery.decode_object", "urlquery.encode", "urlquery.encode_object", "uuid.parse", "uuid.rfc4122",
    "walk", "yaml.is_valid", "yaml.marshal", "yaml.unmarshal",
})

#: Names regopy recognises. It implements some of them as always undefined (net.*,
#: strings.render_template, rego.metadata.*): aiospo_ci/policy/divergence.py refuses those.
REGOPY = frozenset({
    "abs", "array.concat", "array.reverse", "array.slice", "base64.decode", "base64.encode",
    "base64.is_valid", "base64url.decode", "base64url.encode", "base64url.encode_no_pad", "bits.and",
    "bits.lsh", "bits.negate", "bits.or", "bits.rsh", "bits.xor", "ceil", "concat", "contains", "count",
    "crypto.hmac.equal", "crypto.hmac.md5", "crypto.hmac.sha1", "crypto.hmac.sha256", "crypto.hmac.sha512",
    "crypto.md5", "crypto.parse_private_keys", "crypto.sha1", "crypto.sha256",
    "crypto.x509.parse_and_verify_certificates", "crypto.x509.parse_certificate_request",
    "crypto.x509.parse_certificates", "crypto.x509.parse_keypair", "crypto.x509.parse_rsa_private_key",
    "endswith", "floor", "format_int", "glob.match", "glob.quote_meta", "graph.reachable",
    "graph.reachable_paths", "graphql.is_valid", "graphql.parse", "hex.decode", "hex.encode", "http.send",
    "indexof", "indexof_n", "internal.member_2", "intersection", "io.jwt.decode", "io.jwt.decode_verify",
    "io.jwt.encode_sign", "io.jwt.encode_sign_raw", "io.jwt.verify_es256", "io.jwt.verify_hs256",
    "io.jwt.verify_rs256", "is_array", "is_boolean", "is_null", "is_number", "is_object", "is_set",
    "is_string", "json.filter", "json.is_valid", "json.marshal", "json.marshal_with_options",
    "json.match_schema", "json.patch", "json.remove", "json.unmarshal", "json.verify_schema", "lower", "max",
    "min", "net.cidr_contains", "net.cidr_contains_matches", "net.cidr_expand", "net.cidr_intersects",
    "net.cidr_is_valid", "net.cidr_merge", "net.lookup_ip_addr", "numbers.range", "numbers.range_step",
    "object.filter", "object.get", "object.keys", "object.remove", "object.subset", "object.union",
    "object.union_n", "opa.runtime", "product", "providers.aws.sign_req", "rand.intn",
    "regex.find_all_string_submatch_n", "regex.find_n", "regex.globs_match", "regex.is_valid", "regex.match",
    "regex.replace", "regex.split", "regex.template_match", "rego.metadata.chain", "rego.metadata.rule",
    "rego.parse_module", "replace", "round", "semver.compare", "semver.is_valid", "sort", "split", "sprintf",
    "startswith", "strings.any_prefix_match", "strings.any_suffix_match", "strings.count",
    "strings.render_template", "strings.replace_n", "strings.reverse", "substring", "sum", "time.add_date",
    "time.clock", "time.date", "time.diff", "time.format", "time.now_ns", "time.parse_duration_ns",
    "time.parse_ns", "time.parse_rfc3339_ns", "time.weekday", "to_number", "trim", "trim_left", "trim_prefix",
    "trim_right", "trim_space", "trim_suffix", "type_name", "union", "units.parse", "units.parse_bytes",
    "upper", "urlquery.decode", "urlquery.decode_object", "urlquery.encode", "urlquery.encode_object",
    "uuid.parse", "uuid.rfc4122", "walk", "yaml.is_valid", "yaml.marshal", "yaml.unmarshal",
})

#: Every builtin name either list holds, plus `print` (which no engine lists and all accept).
KNOWN = REGORUS | REGOPY | {"print"}
