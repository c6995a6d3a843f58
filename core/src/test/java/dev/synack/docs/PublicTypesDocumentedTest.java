package dev.synack.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.lang.model.element.Modifier;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Every public type of the library (the core module's sources) has a documentation
 * comment. The javadoc run in {@code mvn verify} checks everything else doclint checks, but its
 * "missing" group is off (it would demand a comment on every member), so this test covers the types.
 */
class PublicTypesDocumentedTest {
    @Test
    void everyPublicLibraryTypeHasADocComment() throws IOException {
        List<Path> sources;
        try (Stream<Path> walk = Files.walk(Path.of("src/main/java/dev/synack"))) {
            sources = walk.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.getFileName().toString().equals("package-info.java"))
                    .sorted().toList();
        }
        assertThat(sources).hasSizeGreaterThan(50);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> undocumented = new ArrayList<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, null)) {
            JavacTask task = (JavacTask) javac.getTask(null, files, null, List.of("-proc:none"), null,
                    files.getJavaFileObjectsFromPaths(sources));
            DocTrees docs = DocTrees.instance(task);
            for (CompilationUnitTree unit : task.parse()) {
                new TreePathScanner<Void, Boolean>() {
                    @Override
                    public Void visitClass(ClassTree type, Boolean inInterface) {
                        boolean visible = type.getModifiers().getFlags().contains(Modifier.PUBLIC)
                                || (inInterface && !type.getModifiers().getFlags().contains(Modifier.PRIVATE));
                        // Nothing inside a hidden type (or an anonymous one) is API.
                        if (!visible || type.getSimpleName().isEmpty()) return null;
                        if (docs.getDocCommentTree(getCurrentPath()) == null) {
                            undocumented.add(unit.getSourceFile().getName() + ": " + type.getSimpleName());
                        }
                        boolean isInterface = type.getKind() == Tree.Kind.INTERFACE
                                || type.getKind() == Tree.Kind.ANNOTATION_TYPE;
                        return super.visitClass(type, isInterface);
                    }

                    @Override
                    public Void visitMethod(MethodTree method, Boolean inInterface) {
                        return null; // a type declared in a body is local, never API
                    }
                }.scan(new TreePath(unit), false);
            }
        }
        assertThat(undocumented).as("public types without a documentation comment").isEmpty();
    }
}
