using System.Globalization;
using System.Text;

namespace AirbyteOps.StandIns.Dbt;

/// <summary>
/// Evaluates the small Jinja expression language the generated models use inside <c>{{ }}</c>: macro calls with
/// string, number, boolean and list arguments (positional or keyword), nested calls, and a bare string.
/// Anything else is a compilation error, so an unsupported model fails loudly instead of running wrong SQL.
/// </summary>
public sealed class ExpressionParser
{
    public delegate object? MacroCall(string name, IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs);

    private readonly string _text;
    private readonly MacroCall _call;
    private int _pos;

    private ExpressionParser(string text, MacroCall call)
    {
        _text = text;
        _call = call;
    }

    public static object? Evaluate(string expression, MacroCall call)
    {
        var parser = new ExpressionParser(expression, call);
        var value = parser.Value();
        parser.SkipSpace();
        if (parser._pos != parser._text.Length)
            throw new CompilationException($"unexpected '{parser._text[parser._pos..]}' in '{{{{ {expression.Trim()} }}}}'");
        return value;
    }

    private object? Value()
    {
        SkipSpace();
        if (_pos >= _text.Length) throw new CompilationException("unexpected end of expression");
        var c = _text[_pos];
        if (c is '\'' or '"') return StringLiteral();
        if (c == '[') return List();
        if (char.IsAsciiDigit(c) || c == '-') return Number();
        if (char.IsAsciiLetter(c) || c == '_') return NameOrCall();
        throw new CompilationException($"unexpected '{c}' in expression '{_text.Trim()}'");
    }

    private object? NameOrCall()
    {
        var name = new StringBuilder(Identifier());
        while (Peek('.'))
        {
            _pos++;
            name.Append('.').Append(Identifier());
        }
        SkipSpace();
        var full = name.ToString();
        if (!Peek('('))
        {
            return full switch
            {
                "true" or "True" => true,
                "false" or "False" => false,
                "none" or "None" => null,
                _ => throw new CompilationException($"'{full}' is undefined"),
            };
        }
        _pos++;
        var args = new List<object?>();
        var kwargs = new Dictionary<string, object?>(StringComparer.Ordinal);
        SkipSpace();
        while (!Peek(')'))
        {
            var save = _pos;
            if (_pos < _text.Length && (char.IsAsciiLetter(_text[_pos]) || _text[_pos] == '_'))
            {
                var key = Identifier();
                SkipSpace();
                if (Peek('=') && !(_pos + 1 < _text.Length && _text[_pos + 1] == '='))
                {
                    _pos++;
                    kwargs[key] = Value();
                }
                else
                {
                    _pos = save;
                    args.Add(Value());
                }
            }
            else
            {
                args.Add(Value());
            }
            SkipSpace();
            if (Peek(',')) { _pos++; SkipSpace(); continue; }
            if (!Peek(')')) throw new CompilationException($"expected ',' or ')' in call of {full}");
        }
        _pos++;
        return _call(full, args, kwargs);
    }

    private List<object?> List()
    {
        _pos++;
        var items = new List<object?>();
        SkipSpace();
        while (!Peek(']'))
        {
            items.Add(Value());
            SkipSpace();
            if (Peek(',')) { _pos++; SkipSpace(); continue; }
            if (!Peek(']')) throw new CompilationException("expected ',' or ']' in a list");
        }
        _pos++;
        return items;
    }

    private string StringLiteral()
    {
        var quote = _text[_pos++];
        var value = new StringBuilder();
        while (_pos < _text.Length && _text[_pos] != quote)
        {
            if (_text[_pos] == '\\' && _pos + 1 < _text.Length) _pos++;
            value.Append(_text[_pos++]);
        }
        if (_pos >= _text.Length) throw new CompilationException("unterminated string");
        _pos++;
        return value.ToString();
    }

    private double Number()
    {
        var start = _pos;
        if (_text[_pos] == '-') _pos++;
        while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] == '.')) _pos++;
        return double.TryParse(_text[start.._pos], NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new CompilationException($"bad number '{_text[start.._pos]}'");
    }

    private string Identifier()
    {
        SkipSpace();
        var start = _pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_')) _pos++;
        if (start == _pos) throw new CompilationException($"expected a name in '{_text.Trim()}'");
        return _text[start.._pos];
    }

    private bool Peek(char c) => _pos < _text.Length && _text[_pos] == c;

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
    }
}
