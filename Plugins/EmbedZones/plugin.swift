import Foundation
import PackagePlugin

/// Compiles `Data/zones.tsv` and `Data/places.tsv` into the HuojuZones module, so every huojud
/// finds the built-in gazetteer and place table whatever its working directory or install
/// location. Editing a file rebuilds.
@main
struct EmbedZones: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let tool = try context.tool(named: "huoju-embed").url
        return [("zones.tsv", "BundledZones"), ("places.tsv", "BundledPlaces")].map { file, name in
            let input = context.package.directoryURL.appending(path: "Data/\(file)")
            let output = context.pluginWorkDirectoryURL.appending(path: "\(name).swift")
            return .buildCommand(
                displayName: "Embedding Data/\(file)",
                executable: tool,
                arguments: [input.path(), output.path(), name],
                inputFiles: [input],
                outputFiles: [output]
            )
        }
    }
}
