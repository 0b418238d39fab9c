// Connects to lakebox with pgJDBC, browses DatabaseMetaData and runs a query with a fetch size.
// Prints one line per check; the Python test asserts on them. Usage: JdbcProbe <url> <user> <password>
import java.sql.*;
import java.util.*;

public class JdbcProbe {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.setProperty("user", args[1]);
        props.setProperty("password", args[2]);
        try (Connection conn = DriverManager.getConnection(args[0], props)) {
            DatabaseMetaData md = conn.getMetaData();
            System.out.println("product=" + md.getDatabaseProductName() + " " + md.getDatabaseProductVersion());
            List<String> schemas = new ArrayList<>();
            try (ResultSet rs = md.getSchemas()) {
                while (rs.next()) schemas.add(rs.getString("TABLE_SCHEM"));
            }
            System.out.println("schemas=" + schemas);
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = md.getTables(null, null, "%", new String[] {"TABLE", "VIEW", "FOREIGN TABLE"})) {
                while (rs.next()) tables.add(rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
            }
            Collections.sort(tables);
            System.out.println("tables=" + tables);
            List<String> columns = new ArrayList<>();
            try (ResultSet rs = md.getColumns(null, "public", "items", "%")) {
                while (rs.next()) columns.add(rs.getString("COLUMN_NAME") + ":" + rs.getString("TYPE_NAME") + ":" + rs.getInt("DATA_TYPE"));
            }
            System.out.println("columns=" + columns);
            List<String> keys = new ArrayList<>();
            try (ResultSet rs = md.getPrimaryKeys(null, "public", "items")) {
                while (rs.next()) keys.add(rs.getString("COLUMN_NAME") + ":" + rs.getString("PK_NAME"));
            }
            System.out.println("primarykeys=" + keys);
            int types = 0;
            boolean sawInt8 = false;
            try (ResultSet rs = md.getTypeInfo()) {
                while (rs.next()) {
                    types++;
                    if ("int8".equals(rs.getString("TYPE_NAME"))) sawInt8 = true;
                }
            }
            System.out.println("typeinfo=" + types + " int8=" + sawInt8);
            conn.setAutoCommit(false);
            try (PreparedStatement ps = conn.prepareStatement("SELECT id, name, price, day FROM items WHERE id >= ? ORDER BY id")) {
                ps.setFetchSize(2);
                ps.setLong(1, 1);
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) rows.add(rs.getLong(1) + "/" + rs.getString(2) + "/" + rs.getBigDecimal(3) + "/" + rs.getDate(4));
                }
                System.out.println("rows=" + rows);
            }
            conn.commit();
            try (Statement st = conn.createStatement()) {
                st.setFetchSize(1);
                int n = 0;
                try (ResultSet rs = st.executeQuery("SELECT order_id FROM spectrum.orders")) {
                    while (rs.next()) n++;
                }
                System.out.println("fetched=" + n);
            }
            conn.commit();
        }
    }
}
