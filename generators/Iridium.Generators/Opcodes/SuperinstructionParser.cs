using System.Collections.Generic;
using System.Linq;
using Iridium.Generators.Common;
using Iridium.Generators.Opcodes.Model;
using Microsoft.CodeAnalysis;

namespace Iridium.Generators.Opcodes
{
    /// <summary>Reads the [Superinstruction] attributes of one class into declarations (mnemonics are checked by the builder).</summary>
    internal static class SuperinstructionParser
    {
        public const string AttributeName = "Iridium.Vm.SuperinstructionAttribute";

        public static EquatableArray<SuperinstructionDeclaration> Parse(IEnumerable<AttributeData> attributes)
        {
            var declarations = new List<SuperinstructionDeclaration>();
            foreach (var attribute in attributes)
            {
                var args = attribute.ConstructorArguments;
                // params string[]: one array argument. Anything else the compiler reports itself.
                if (args.Length != 1 || args[0].Kind != TypedConstantKind.Array) continue;
                var positions = args[0].Values
                    .Select(v => new MnemonicChoice(((string?)v.Value ?? "")
                        .Split('|').Select(m => m.Trim()).ToEquatableArray()))
                    .ToEquatableArray();
                bool loops = attribute.NamedArguments.Any(a => a.Key == "Loops" && a.Value.Value is true);
                var location = attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation();
                declarations.Add(new SuperinstructionDeclaration(positions, loops, LocationInfo.From(location)));
            }
            return declarations.ToEquatableArray();
        }
    }
}
