using System.Linq;
using Iridium.Generators.Common;
using Iridium.Generators.Wire.Model;

namespace Iridium.Generators.Wire
{
    /// <summary>
    /// Version-tolerant and circular-reference formatters (spec 9, 10): member lengths first, so
    /// members are written to a scratch buffer and read through slices that must be consumed exactly.
    /// </summary>
    internal static class WireVersionTolerantEmitter
    {
        private const string R = WireEmitter.R;

        public static void EmitBody(SourceWriter w, TypeModel model)
        {
            bool circular = model.Kind == WireTypeKind.CircularReference;
            string slots = WireEmitter.N(model.SlotCount);

            w.Open($"public override void Serialize(ref {R}WireWriter writer, {model.FullName} value)");
            WireEmitter.EmitNullCheck(w, model);
            if (circular) w.Line("if (writer.TryWriteBackReference(value, out uint id)) return;");
            w.Line("writer.EnterDepth();");
            w.Open($"using (var members = {R}VersionTolerantBuffer.Rent({slots}))");
            w.Line("var inner = writer.CreateNestedWriter(members);");
            foreach (var member in model.Members)
            {
                w.Line(WireEmitter.WriteStatement(member, "inner", "value." + member.Name) + ";");
                w.Line($"members.EndSlot(ref inner, {WireEmitter.N(member.Slot)});");
            }
            w.Line($"writer.WriteVersionTolerantBody(members, {(circular ? "id" : "null")});");
            w.Close();
            w.Line("writer.ExitDepth();");
            w.Close();
            w.Line();

            w.Open($"public override {model.FullName} Deserialize(ref {R}WireReader reader)");
            w.Open("if (!reader.TryReadObjectHeader(out byte count))");
            w.Line(model.IsValueType
                ? $"throw new {R}WireFormatException(\"{model.Name} is a struct and cannot be null.\");"
                : "return null;");
            w.Close();
            if (circular) w.Line($"if (count == 250) return reader.ReadBackReference<{model.FullName}>();");
            w.Line("reader.EnterDepth();");
            w.Line($"global::System.Span<int> lengths = stackalloc int[{slots}];");
            w.Line("int extra = reader.ReadVersionTolerantLengths(count, lengths);");
            if (circular)
            {
                // The object exists before its members are read, so a child can point back to it.
                w.Line("uint id = reader.ReadVarUInt();");
                w.Line($"var result = new {model.FullName}();");
                w.Line("reader.RegisterReference(id, result);");
            }
            foreach (var member in model.Members)
            {
                bool direct = circular && member.Assignment == MemberAssignment.Settable;
                if (!circular || !direct) w.Line($"{member.TypeName} {WireEmitter.Local(member)} = default;");
                string slot = WireEmitter.N(member.Slot);
                w.Open($"if (lengths[{slot}] > 0)");
                w.Line($"var slice = reader.ReadSlice(lengths[{slot}]);");
                string target = direct ? "result." + member.Name : WireEmitter.Local(member);
                w.Line($"{target} = {WireEmitter.ReadExpression(member, "slice")};");
                w.Line("slice.EnsureFullyConsumed();");
                w.Close();
            }
            w.Line("reader.Skip(extra);");
            w.Line("reader.ExitDepth();");
            if (!circular)
            {
                WireEmitter.EmitConstruct(w, model);
                foreach (var member in model.Members.Where(m => m.Assignment == MemberAssignment.Settable))
                {
                    w.Line($"if (lengths[{WireEmitter.N(member.Slot)}] > 0) result.{member.Name} = {WireEmitter.Local(member)};");
                }
            }
            w.Line("return result;");
            w.Close();
        }
    }
}
