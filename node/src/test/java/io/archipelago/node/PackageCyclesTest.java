package io.archipelago.node;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

/**
 * The packages of the node module depend one way (commands → host → setup → engine → cluster, and
 * so on): a cycle is where a change in one package starts breaking another that it should not
 * know about (as {@code SearchCommand} and {@code SearchHost} once imported each other).
 */
class PackageCyclesTest {
    private static final JavaClasses NODE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.archipelago.node");

    /** One slice per package, the root package included (a pattern like {@code node.(**)} would leave the commands out). */
    private static final SliceAssignment BY_PACKAGE = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String name = javaClass.getPackageName();
            return name.startsWith("io.archipelago.node") ? SliceIdentifier.of(name) : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "packages of io.archipelago.node";
        }
    };

    @Test
    void thePackagesOfTheNodeModuleHaveNoCycle() {
        slices().assignedFrom(BY_PACKAGE).should().beFreeOfCycles().check(NODE);
    }
}
