package dev.synack.trace;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Reads {@link SvgLadderRenderer}'s output back with the JDK's DOM parser, for tests. */
public final class SvgDom {
    /** Parses {@code xml} with the JDK's DOM parser: it throws on anything not well-formed. */
    public static Document parse(String xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError("not well-formed XML: " + e.getMessage() + "\n" + xml, e);
        }
    }

    /** Elements named {@code tag} whose class attribute has every one of {@code classes}. */
    public static List<Element> elements(Document doc, String tag, String... classes) {
        List<Element> found = new ArrayList<>();
        NodeList all = doc.getElementsByTagName(tag);
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            List<String> has = List.of(e.getAttribute("class").split(" "));
            if (has.containsAll(List.of(classes))) {
                found.add(e);
            }
        }
        return found;
    }

    public static List<String> texts(Document doc, String... classes) {
        return elements(doc, "text", classes).stream().map(Element::getTextContent).toList();
    }

    private SvgDom() {}
}
