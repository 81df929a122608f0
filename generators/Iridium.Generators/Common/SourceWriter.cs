using System;
using System.Text;

namespace Iridium.Generators.Common
{
    /// <summary>An indenting text builder for generated C#. Always "\n" line endings.</summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder _sb = new StringBuilder();
        private int _indent;

        public int Indent
        {
            get => _indent;
            set => _indent = Math.Max(0, value);
        }

        public SourceWriter Line(string text = "")
        {
            if (text.Length > 0) _sb.Append(' ', _indent * 4).Append(text);
            _sb.Append('\n');
            return this;
        }

        /// <summary>Writes <paramref name="text"/> (nothing when empty) and an opening brace, and indents.</summary>
        public SourceWriter Open(string text)
        {
            if (text.Length > 0) Line(text);
            Line("{");
            _indent++;
            return this;
        }

        public SourceWriter Close(string suffix = "")
        {
            _indent--;
            return Line("}" + suffix);
        }

        public override string ToString() => _sb.ToString();
    }
}
