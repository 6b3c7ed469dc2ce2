package marketplace.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.junit.jupiter.api.Test;

/**
 * named_components.json is written by hand (Elasticsearch's Gradle plugin would generate it): check that
 * it lists exactly the @NamedComponent classes, and that each class is one the node can instantiate.
 */
class NamedComponentsFileTest {

    private static final Path FILE = Path.of("src/main/plugin-metadata/named_components.json");
    private static final Path CLASSES = Path.of("target/classes");

    @Test
    void fileListsEveryNamedComponentAndNothingElse() throws Exception {
        String json = Files.readString(FILE);
        assertTrue(json.contains("\"" + TokenFilterFactory.class.getName() + "\""), "keyed by the extensible interface");
        Map<String, String> declared = new TreeMap<>();
        Matcher m = Pattern.compile("\"([a-z_]+)\"\\s*:\\s*\"([\\w.]+)\"").matcher(json);
        while (m.find()) {
            declared.put(m.group(1), m.group(2));
        }
        assertEquals(annotatedClasses(), declared);
    }

    @Test
    void componentsCanBeBuiltTheWayTheNodeBuildsThem() throws Exception {
        for (String className : annotatedClasses().values()) {
            Class<?> type = Class.forName(className);
            assertTrue(TokenFilterFactory.class.isAssignableFrom(type), className);
            Constructor<?>[] constructors = type.getConstructors();
            assertEquals(1, constructors.length, className + ": the node wants exactly one public constructor");
            Constructor<?> constructor = constructors[0];
            if (constructor.getParameterCount() > 0) {
                assertNotNull(constructor.getAnnotation(Inject.class), className + ": a constructor with settings needs @Inject");
                for (Class<?> parameter : constructor.getParameterTypes()) {
                    assertTrue(parameter.isInterface() && parameter.isAnnotationPresent(AnalysisSettings.class), className);
                    for (Method method : parameter.getDeclaredMethods()) {
                        assertEquals(1, method.getAnnotations().length, className + "." + method.getName() + ": one setting annotation");
                    }
                }
            }
        }
    }

    private static Map<String, String> annotatedClasses() throws IOException, ClassNotFoundException {
        Map<String, String> found = new TreeMap<>();
        try (Stream<Path> files = Files.walk(CLASSES)) {
            for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                String name = CLASSES.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                NamedComponent named = Class.forName(name).getAnnotation(NamedComponent.class);
                if (named != null) {
                    found.put(named.value(), name);
                }
            }
        }
        return found;
    }
}
