// Browses functions with pgJDBC's DatabaseMetaData: getFunctions, getFunctionColumns, getProcedures,
// getProcedureColumns. Prints one line per call; the Python test asserts on them.
// Usage: JdbcFunctions <url> <user> <password> <schema> <function name pattern>
import java.sql.*;
import java.util.*;

public class JdbcFunctions {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.setProperty("user", args[1]);
        props.setProperty("password", args[2]);
        String schema = args[3], pattern = args[4];
        try (Connection conn = DriverManager.getConnection(args[0], props)) {
            DatabaseMetaData md = conn.getMetaData();
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = md.getFunctions(null, schema, pattern)) {
                while (rs.next()) rows.add(rs.getString("FUNCTION_SCHEM") + "." + rs.getString("FUNCTION_NAME") + ":"
                        + rs.getInt("FUNCTION_TYPE") + ":" + rs.getString("REMARKS"));
            }
            System.out.println("functions=" + rows);
            rows = new ArrayList<>();
            try (ResultSet rs = md.getFunctionColumns(null, schema, pattern, null)) {
                while (rs.next()) rows.add(rs.getString("FUNCTION_NAME") + ":" + rs.getString("COLUMN_NAME") + ":"
                        + rs.getInt("COLUMN_TYPE") + ":" + rs.getString("TYPE_NAME"));
            }
            System.out.println("functioncolumns=" + rows);
            rows = new ArrayList<>();
            try (ResultSet rs = md.getProcedures(null, schema, pattern)) {
                while (rs.next()) rows.add(rs.getString("PROCEDURE_SCHEM") + "." + rs.getString("PROCEDURE_NAME"));
            }
            System.out.println("procedures=" + rows);
            rows = new ArrayList<>();
            try (ResultSet rs = md.getProcedureColumns(null, schema, pattern, null)) {
                while (rs.next()) rows.add(rs.getString("PROCEDURE_NAME") + ":" + rs.getString("COLUMN_NAME") + ":"
                        + rs.getInt("COLUMN_TYPE") + ":" + rs.getString("TYPE_NAME"));
            }
            System.out.println("procedurecolumns=" + rows);
            int all = 0;
            try (ResultSet rs = md.getFunctions(null, null, "%")) {
                while (rs.next()) all++;
            }
            System.out.println("allfunctions=" + all);
        }
    }
}
