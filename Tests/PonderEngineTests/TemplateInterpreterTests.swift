import Foundation
import PonderTestSupport
import Testing

@testable import PonderEngine

/// Jinja features one by one, each rendered by Python's jinja2 and by ponder and compared byte for
/// byte (outputs) or message for message (errors). Real templates only exercise part of the
/// language; these cover the rest of what the interpreter claims to support.
@Suite(.timeLimit(.minutes(10))) struct TemplateInterpreterTests {
    static let context: [String: TemplateInput] = [
        "d": ["a": 1, "b": [1, 2], "name": "Zoë"],
        "s": "héllo wörld",
        "l": [3, 1, 2],
        "words": ["banana", "Apple", "cherry", "apple"],
        "people": [["name": "Ann", "age": 31, "role": "user"], ["name": "bob", "age": 25, "role": "assistant"],
                   ["name": "Cy", "age": 31, "role": "user"]],
        "nothing": nil,
        "flag": false,
        "text": "  padded\ttext \n",
        "messages": [["role": "system", "content": "sys"], ["role": "user", "content": "hi"]],
    ]

    static let cases: [(String, String)] = [
        // Whitespace control, trim_blocks and lstrip_blocks.
        ("lstrip and trim", "  {% if true %}\n    yes\n  {% endif %}\nafter"),
        ("minus strips both sides", "a {%- if true -%} b {%- endif -%} c\n\n  {{- 'x' -}}  \n y"),
        ("plus keeps indentation", "  {%+ if true %}x{% endif %}\n  {% if true +%}\ny{% endif %}"),
        ("comments", "line1\n  {# comment #}\nline2 {#- gone -#}   end\n{# a\nmulti-line #}\nz"),
        ("raw", "{% raw %}{{ not evaluated }} {% if %}{% endraw %}|  {%- raw %} {{x}} {% endraw -%}  |"),
        ("variable tags are not lstripped", "  {{ 'v' }}\n  {% if true %}b{% endif %}"),
        ("trailing newline dropped", "{{ 'x' }}\n{{ 'y' }}\n"),
        ("windows newlines", "a\r\n  {% if true %}\r\nb\r\n  {% endif %}\r\nc\rd"),
        ("tag at template start", "   {% if true %}x{% endif %}"),
        ("braces inside expressions", "{{ {'k': {'n': [1, {'m': 2}]}} }}{{ '%}' }}{{ \"}}\" }}"),
        // Loops.
        ("loop variables",
         "{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.previtem }}{{ loop.nextitem }}{{ loop.cycle('o', 'e') }}{{ loop.depth }};{% endfor %}"),
        ("for else and filter", "{% for x in l if x > 5 %}{{ x }}{% else %}none{% endfor %}|{% for x in l if x > 1 %}{{ x }}/{{ loop.length }} {% endfor %}"),
        ("break and continue", "{% for x in range(10) %}{% if x is odd %}{% continue %}{% endif %}{% if x > 6 %}{% break %}{% endif %}{{ x }}{% endfor %}"),
        ("tuple unpacking", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for (a, b) in [(1, 2), (3, 4)] %}{{ a + b }}{% endfor %}"),
        ("loop over dict and string and undefined", "{% for k in d %}{{ k }}{% endfor %}|{% for c in s %}{{ c }}.{% endfor %}|{% for x in nope %}x{% else %}empty{% endfor %}"),
        ("nested loops and changed", "{% for p in people %}{% if loop.changed(p.age) %}[{{ p.age }}]{% endif %}{% for c in p.name %}{{ loop.index }}{% endfor %},{% endfor %}"),
        ("recursive loop", "{% for item in [{'n': 1, 'c': [{'n': 2, 'c': []}]}] recursive %}{{ item.n }}@{{ loop.depth }}({{ loop(item.c) }}){% endfor %}"),
        // Scoping.
        ("loop body scope resets", "{% set x = 1 %}{% for i in range(3) %}{{ x }}{% set x = i + 10 %}{{ x }},{% endfor %}{{ x }}"),
        ("loop assignment is gone next iteration", "{% for i in range(2) %}{% if i == 1 %}[{{ y }}]{% endif %}{% set y = 5 %}{% endfor %}[{{ y }}]"),
        ("if does not scope", "{% if true %}{% set z = 3 %}{% endif %}{{ z }}"),
        ("namespace carries out of loops", "{% set ns = namespace(n=0, seen=[]) %}{% for x in l %}{% set ns.n = ns.n + x %}{% endfor %}{{ ns.n }} {{ ns }}"),
        ("macros see definition scope", "{% set x = 1 %}{% macro m() %}{{ x }}{% endmacro %}{% set x = 2 %}{{ m() }}{% macro n() %}{{ y }}{% endmacro %}{% for y in [7] %}[{{ n() }}]{% endfor %}"),
        // Assignments, macros, blocks.
        ("set forms", "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set c = [a, b] %}{{ c }}{% set block %} x {{ a }} {% endset %}[{{ block }}]{% set t | upper | trim %} shout {% endset %}[{{ t }}]"),
        ("macro arguments", "{% macro m(a, b=2, c=a) %}{{ a }}-{{ b }}-{{ c }}{% endmacro %}{{ m(1) }} {{ m(1, b=3) }} {{ m() }} {{ m(5, c=9) }}"),
        ("macro varargs kwargs caller", "{% macro w(x) %}<{{ x }}|{{ varargs }}|{{ kwargs }}|{{ caller('in') }}>{% endmacro %}{% call(v) w(1, 2, 3, k='v') %}body {{ v }}{% endcall %}"),
        ("filter block and with", "{% filter upper %}hello {{ 'world' }}{% endfilter %} {% with a = 5, b = 6 %}{{ a * b }}{% endwith %}"),
        ("generation block", "{% generation %}kept {{ 1 }}{% endgeneration %}"),
        // Literals and Python str()/repr().
        ("string escapes", "{{ 'a\\nb\\t\\x41\\u00e9\\U0001F600\\\\q\\'\\\"\\101\\zz' }}|{{ \"it's\" }}|{{ 'adj' 'acent' }}"),
        ("numbers", "{{ 1_000 }} {{ 0x1f }} {{ 0o17 }} {{ 0b101 }} {{ 1.5e3 }} {{ 2.5E-3 }} {{ 1e16 }} {{ 1e15 }} {{ 0.0001 }} {{ 0.00001 }} {{ 1/3 }} {{ -0.0 }} {{ 3.0 }} {{ 123456789.123456789 }}"),
        ("constants in every casing", "{{ true }} {{ True }} {{ false }} {{ False }} {{ none }} {{ None }} {{ none is none }}"),
        ("repr of containers", "{{ d }} {{ l }} {{ (1, 'a') }} {{ (1,) }} {{ () }} {{ ['it\\'s', \"q\\\"\", 'both\\'\"', '\\n\\t\\\\', '\\x01é😀\\u200b\\x7f\\xa0'] }} {{ {1: none, 'k': true, 2.5: [1.0]} }}"),
        ("dict literals keep order", "{{ {'z': 1, 'a': 2, 'm': {'y': 1, 'b': 2}} }} {{ dict(z=1, a=2) }} {{ {'a': 1, 'a': 2} }}"),
        // Operators.
        ("arithmetic", "{{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 10 / 4 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 1 + 2.5 }} {{ true + 1 }} {{ 10 // 3.0 }} {{ 10 % 3.5 }} {{ -(3) }} {{ +4 }} {{ 'ab' * 3 }} {{ [0] * 3 }} {{ [1] + [2] }} {{ 'a' ~ 1 ~ none ~ nope ~ true }}"),
        ("precedence", "{{ 1 + 2 * 3 ** 2 }} {{ (1 + 2) * 3 }} {{ -2 ** 2 }} {{ not true or true }} {{ 1 ~ 2 + 3 }} {{ -1|abs }} {{ 2 * 3|string }}"),
        ("comparisons", "{{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'é' > 'z' }} {{ none == none }} {{ nope == nope }} {{ 2 != 2.0 }}"),
        ("membership", "{{ 'ell' in s }} {{ 3 in l }} {{ 'a' in d }} {{ 'zz' not in s }} {{ 'x' in nope }} {{ 1 in [1.0] }}"),
        ("and or return operands", "{{ 0 and 1 }} {{ 2 and 3 }} {{ '' or 'd' }} {{ [] or nothing }} {{ none or 0 }}"),
        ("conditional expression", "{{ 'y' if l else 'n' }} {{ 'y' if [] else 'n' }} [{{ 'a' if false }}] {{ ('a' if false) is defined }} {{ 1 if false else 2 if true else 3 }}"),
        ("attribute and item access", "{{ d.a }} {{ d['b'][1] }} {{ d.b.0 }} {{ l[-1] }} {{ s[0] }} {{ d.missing }}|{{ d['missing'] is defined }}|{{ l[10] is defined }}|{{ nothing.x is defined }} {{ people[0].name }}"),
        ("slicing", "{{ l[::-1] }} {{ s[1:3] }} {{ s[-3:] }} {{ l[5:] }} {{ l[::2] }} {{ l[:-1] }} {{ s[::-2] }} {{ l[1:100] }} {{ l[-100:1] }} {{ messages[1:] }}"),
        // Filters.
        ("string filters", "{{ text|trim }}|{{ 'xxhixx'|trim('x') }}|{{ s|upper }}|{{ 'HeLLo'|lower }}|{{ 'hello wORLD-foo(bar'|title }}|{{ 'hELLO world'|capitalize }}|{{ 'a-b-c'|replace('-', '+') }}|{{ 'aaa'|replace('a', 'b', 2) }}|{{ 'hi'|center(8) }}|{{ 'one two  three'|wordcount }}|{{ 'long text here'|truncate(9, leeway=0) }}"),
        ("unicode case mapping", "{{ 'ΟΔΟΣ ΣΑΣ'|lower }}|{{ 'ΟΔΟΣ'.lower() }}|{{ 'İstanbul'|lower }}|{{ 'straße'|upper }}|{{ 'ǆemal'.title() }}|{{ 'ǆemal'|capitalize }}|{{ 'ﬁne'|upper }}|{{ 'Σ'|lower }}|{{ 'AΣ.'|lower }}|{{ 'ÉCOLE'|title }}|{{ 'ΟΔΟΣ-ΣΑΣ Σ'|title }}"),
        ("length and defaults", "{{ l|length }} {{ s|count }} {{ d|length }} {{ nope|length }} {{ ''|default('d') }} {{ ''|default('d', true) }} {{ none|default('d') }} {{ nope|d('u') }} {{ flag|default('x', boolean=true) }}"),
        ("first last min max sum", "{{ l|first }} {{ l|last }} {{ s|first }} {{ s|last }} {{ l|min }} {{ l|max }} {{ l|sum }} {{ words|min }} {{ words|max(case_sensitive=true) }} {{ people|max(attribute='age') }} {{ people|sum(attribute='age') }} {{ []|first is defined }}"),
        ("list join items", "{{ s|list }} {{ d|list }} {{ l|join('-') }} {{ people|join(', ', attribute='name') }} {{ d|items|list }} {{ nope|items|list }} {{ l|join }}"),
        ("sorting", "{{ l|sort }} {{ l|sort(reverse=true) }} {{ words|sort }} {{ words|sort(case_sensitive=true) }} {{ people|sort(attribute='age')|map(attribute='name')|list }} {{ {'b': 1, 'A': 2, 'a': 3}|dictsort }} {{ {'b': 1, 'a': 2}|dictsort(by='value', reverse=true) }} {{ words|unique|list }} {{ [3, 1, 3]|unique|list }}"),
        ("map select reject", "{{ words|map('upper')|list }} {{ people|map(attribute='name')|list }} {{ people|map(attribute='nick', default='?')|list }} {{ people|selectattr('role', 'equalto', 'user')|map(attribute='name')|join(',') }} {{ people|rejectattr('age', '>', 30)|list|length }} {{ [1, none, 2, 0]|select|list }} {{ [1, none, 2]|reject('none')|list }} {{ l|select('odd')|list }} {{ people|selectattr('name')|list|length }} {{ nothing|map('upper')|list }}"),
        ("numbers filters", "{{ '42'|int }} {{ ' 7 '|int }} {{ '4.9'|int }} {{ 'x'|int }} {{ 'x'|int(5) }} {{ 3.99|int }} {{ '1_000'|int }} {{ 'ff'|int(base=16) }} {{ '2.5'|float }} {{ 7|float }} {{ 'n'|float }} {{ 2.5|round }} {{ 3.5|round }} {{ 3.14159|round(2) }} {{ 2.675|round(2) }} {{ 3.2|round(method='ceil') }} {{ -3.7|abs }}"),
        ("indent", "{{ 'a\\nb\\n\\nc'|indent(2) }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'a\\nb\\n'|indent(width=4, first=true, blank=true) }}|{{ 'x\\ny'|indent('> ') }}"),
        ("tojson", "{{ d|tojson }} {{ {'é': 'ü', 'q': '\"<&>\\'', 'n': [1, 2.5, none, true]}|tojson }} {{ d|tojson(indent=2) }} {{ {}|tojson(indent=2) }} {{ []|tojson }} {{ 'a\\u0001\\u2028\\n'|tojson }} {{ {'b': 1, 'a': 2}|tojson(sort_keys=true) }} {{ [1, 2]|tojson(separators=(',', ':')) }} {{ 'é'|tojson(ensure_ascii=true) }} {{ (1, 2)|tojson }}"),
        ("batch string escape", "{{ [1, 2, 3, 4, 5]|batch(2)|list }} {{ [1, 2, 3]|batch(2, 0)|list }} {{ l|string }} {{ '<a href=\"x\">&'|e }} {{ 'x'|forceescape }} {{ '%s-%d'|format('a', 3) }} {{ 'abc'|reverse }} {{ l|reverse|list }}"),
        ("attr filter", "{{ d|attr('a') }}|{{ d|attr('items') is defined }}|{{ ns_missing|default('u') }}"),
        // Tests.
        ("tests", "{{ x is defined }} {{ d is mapping }} {{ l is sequence }} {{ s is sequence }} {{ s is iterable }} {{ 3 is odd }} {{ 4 is even }} {{ 6 is divisibleby 3 }} {{ 7 is divisibleby(3) }} {{ 1 is in [1] }} {{ 1 is eq 1 }} {{ 2 is gt 1 }} {{ false is false }} {{ 0 is false }} {{ true is true }} {{ true is boolean }} {{ 1 is boolean }} {{ 1 is integer }} {{ 1.0 is integer }} {{ 1.0 is float }} {{ true is number }} {{ 'a' is string }} {{ none is none }} {{ nope is undefined }} {{ 'abc' is lower }} {{ 'ABC' is upper }} {{ 'upper' is filter }} {{ 'odd' is test }} {{ range is callable }} {{ d is not mapping }} {{ none is sameas none }}"),
        // Methods.
        ("string methods", "{{ '  a b  '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ '  a'.lstrip() }}|{{ 'a  '.rstrip() }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'a b c'.split(' ', 1) }}|{{ 'a b c'.rsplit(' ', 1) }}|{{ 'Hello'.startswith('He') }}|{{ 'Hello'.startswith(('x', 'H')) }}|{{ 'Hello'.endswith('lo') }}|{{ 'a-b'.replace('-', '+') }}|{{ 'they\\'re here'.title() }}|{{ 'abc'.find('c') }}|{{ 'abc'.find('z') }}|{{ 'abcabc'.count('b') }}|{{ 'x'.upper() }}|{{ '-'.join(['a', 'b']) }}|{{ 'l1\\nl2\\r\\nl3'.splitlines() }}|{{ '42'.isdigit() }}|{{ 'ab'.zfill(4) }}|{{ 'hello'.capitalize() }}|{{ 'Ab'.swapcase() }}"),
        ("format method and percent", "{{ '{} and {}'.format(1, 'b') }} {{ '{0}{1}{0}'.format('a', 'b') }} {{ '{x}!'.format(x=3) }} {{ '{:>5}|{:<4}|{:^5}|{:05d}|{:.2f}|{:,}'.format('r', 'l', 'c', 42, 3.14159, 1234567) }} {{ '{{literal}}'.format() }} {{ '%s-%d' % ('a', 3) }} {{ '%s' % 'x' }} {{ '%5.1f%%' % 12.345 }} {{ '%(k)s' % {'k': 'v'} }} {{ '{!r}'.format('q') }}"),
        ("dict methods", "{{ d.get('a') }} {{ d.get('z', 9) }} {{ d.get('z') }} {{ d.keys()|list }} {{ d.values()|list }} {{ d.items()|list }} {{ d.items() }} {{ d.keys() }} {{ d.items()|length }} {{ d.copy() }}"),
        ("lazy iterables", "{{ 'y' if []|select else 'n' }} {{ 'y' if d.items() else 'n' }} {{ 'y' if {}.items() else 'n' }} {{ range(3) }} {{ range(1, 10, 3)|list }} {{ range(5)[2] }} {{ range(3)|length }} {% set g = l|map('string') %}{{ g|list }}{{ g|list }} {{ l|reverse|list }}"),
        ("markup", "{{ '<b>'|safe + '<i>' }} {{ '<i>' + '<b>'|safe }} {{ ('<' ~ 'x')|e }} {{ '<b>'|safe ~ '<i>' }} {{ ('<p>'|safe).upper() + '&' }} {{ '<'|e|e }} {{ ('a'|safe) is string }} {{ '%s<'|safe % '<' }} {{ ('x'|safe + 'y') == 'xy' }} {{ ('<b>'|safe)|length }}"),
        ("globals", "{{ range(3)|list }} {{ range(2, 8, 2)|list }} {{ range(5, 0, -2)|list }} {{ dict(a=1, b=2) }} {{ dict([('x', 1)]) }} {{ namespace(a=1).a }} {{ strftime_now('%Y-%m-%d %H:%M %a %A %b %B %j %p %I %y %e %-d') }} {{ strftime_now('%d %b %Y') }}"),
        ("undefined semantics", "[{{ nope }}]|{{ nope is defined }}|{{ nope|string }}|{{ nope|lower }}|{{ nope|trim }}|{{ nope|list }}|{{ nope|join(',') }}|{{ nope ~ 'x' }}|{{ nope == nope }}|{{ nope != none }}|{{ not nope }}|{{ nope|first is defined }}|{{ 'x' if nope else 'y' }}"),
        ("realistic chat loop", "{%- for m in messages %}{{ '<|' + m.role + '|>\\n' + m.content | trim + '\\n' }}{% endfor %}{% if add_generation_prompt is not defined or add_generation_prompt %}<|assistant|>{% endif %}"),
        // Errors: jinja2 and ponder must fail with the same message.
        ("error raise_exception", "{{ raise_exception('Only user and assistant roles are supported!') }}"),
        ("error undefined attribute chain", "{{ d.x.y }}"),
        ("error attribute of undefined", "{{ nope.attr }}"),
        ("error sandbox append", "{{ l.append(4) }}"),
        ("error sandbox pop", "{% set x = d.pop('a') %}"),
        ("error str plus int", "{{ 'a' + 1 }}"),
        ("error int plus str", "{{ 1 + 'a' }}"),
        ("error undefined arithmetic", "{{ nope + 1 }}"),
        ("error division by zero", "{{ 1 / 0 }}"),
        ("error not callable", "{{ s() }}"),
        ("error tojson undefined", "{{ nope|tojson }}"),
        ("error tojson generator", "{{ l|map('string')|tojson }}"),
        ("error generator length", "{{ l|select|length }}"),
        ("error mixed comparison", "{{ 1 < 'a' }}"),
        ("error items of list", "{{ l|items|list }}"),
        ("error unknown filter inside if", "{% if false %}{{ x|nosuchfilter }}{% endif %}{% if true %}{{ 1|nosuchfilter }}{% endif %}"),
        ("error unpack", "{% for a, b in [(1, 2, 3)] %}{% endfor %}"),
        ("error too big range", "{{ range(1000000)|length }}"),
        ("error element of none", "{{ nothing[0].x }}"),
        ("error attribute of none", "{{ nothing.x.y }}"),
        ("error element of list", "{{ l[7].x }}"),
        ("error attribute of namespace", "{% set ns = namespace() %}{{ ns.x.y }}"),
    ]

    @Test func featuresRenderLikeJinja2() throws {
        let jobs = Self.cases.map { Jinja2Reference.Job(id: $0.0, template: $0.1, context: Self.context) }
        let reference = try Jinja2Reference.render(jobs)
        var identical = 0
        for job in jobs {
            let expected = try #require(reference[job.id], "jinja2 gave no result for \(job.id)")
            let actual = Jinja2Reference.ponder(job)
            switch (expected, actual) {
            case (.output(let a), .output(let b)):
                #expect(a == b, "\(job.id): \(Jinja2Reference.firstDifference(a, b))")
                if a == b { identical += 1 }
            case (.renderError(let type, let a), .renderError(_, let b)):
                #expect(a == b, "\(job.id): jinja2 raised \(type) \"\(a)\", ponder raised \"\(b)\"")
                if a == b { identical += 1 }
            default:
                Issue.record("\(job.id): jinja2 \(expected) but ponder \(actual)")
            }
        }
        print("jinja feature cases identical to jinja2: \(identical)/\(jobs.count)")
    }
}
