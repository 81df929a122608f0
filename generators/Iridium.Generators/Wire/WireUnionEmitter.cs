using Iridium.Generators.Common;
using Iridium.Generators.Wire.Model;

namespace Iridium.Generators.Wire
{
    /// <summary>
    /// Union formatters (spec 8): the tag of the value's exact runtime type, then that case's own
    /// encoding; on read, an unknown tag is an error.
    /// </summary>
    internal static class WireUnionEmitter
    {
        private const string R = WireEmitter.R;

        public static void EmitBody(SourceWriter w, TypeModel model)
        {
            w.Open($"public override void Serialize(ref {R}WireWriter writer, {model.FullName} value)");
            WireEmitter.EmitNullCheck(w, model);
            w.Line("var type = value.GetType();");
            foreach (var unionCase in model.UnionCases)
            {
                w.Open($"if (type == typeof({unionCase.TypeName}))");
                w.Line($"writer.WriteUnionTag({WireEmitter.N(unionCase.Tag)});");
                w.Line($"{R}WireFormatterProvider<{unionCase.TypeName}>.Formatter.Serialize(ref writer, ({unionCase.TypeName})value);");
                w.Line("return;");
                w.Close();
            }
            w.Line($"throw new global::System.InvalidOperationException(\"{model.Name} has no [MemoryPackUnion] case for \" + type.FullName + \".\");");
            w.Close();
            w.Line();

            w.Open($"public override {model.FullName} Deserialize(ref {R}WireReader reader)");
            w.Line("if (!reader.TryReadUnionTag(out ushort tag)) return null;");
            w.Open("switch (tag)");
            foreach (var unionCase in model.UnionCases)
            {
                w.Line($"case {WireEmitter.N(unionCase.Tag)}: return {R}WireFormatterProvider<{unionCase.TypeName}>.Formatter.Deserialize(ref reader);");
            }
            w.Line($"default: throw new {R}WireFormatException(\"Unknown union tag \" + tag + \" for {model.Name}.\");");
            w.Close();
            w.Close();
        }
    }
}
